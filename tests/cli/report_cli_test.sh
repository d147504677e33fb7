#!/usr/bin/env bash
# `lever report JOB_DIR -o page.html`: a run trained with --doctor --job-dir becomes one self-contained page
# whose eleven plots are well-formed SVG (curves, the test set's ROC, precision-recall and calibration, the
# network's statistics, the weights' histogram); in headless Chromium (when installed; .ci/run installs it and sets
# LEVER_REQUIRE_BROWSER=1) the page renders without errors, its DOM holds the plots and a screenshot is
# taken. A job without a record and an output that cannot be written are clear errors (exit 2).
lever=$1
source "$(dirname "$0")/lib.sh"

out=$("$lever" train -q --dataset spiral --steps 1500 --job-dir "$work/job" --doctor 2>&1) || fail "train --doctor: exit $?" "$out"
out=$("$lever" report "$work/job" -o "$work/page.html" 2>&1) || fail "report: exit $?" "$out"
[[ "$out" == "wrote $work/page.html ("*" KiB)" ]] || fail "report: the line it prints" "$out"
/usr/bin/python3 - "$work/page.html" <<'PY' || fail "report: the page's structure"
import re, sys, xml.dom.minidom
from html.parser import HTMLParser
page = open(sys.argv[1]).read()
svgs = re.findall(r"<svg.*?</svg>", page, re.S)
assert len(svgs) == 11, len(svgs)
for svg in svgs:
    xml.dom.minidom.parseString(svg)          # well-formed, every text escaped
assert all("<polyline" in svg or "<circle" in svg for svg in svgs), "a plot without a line or a dot"
class Tags(HTMLParser):
    def __init__(self):
        super().__init__(); self.open = []
    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "br", "rect", "line", "polyline", "path", "circle"): self.open.append(tag)
    def handle_endtag(self, tag):
        if tag in ("rect", "line", "polyline", "path", "circle"): return
        assert self.open and self.open[-1] == tag, (tag, self.open[-3:]); self.open.pop()
    def handle_startendtag(self, tag, attrs): pass
t = Tags(); t.feed(page); assert not t.open, t.open
assert "<script" not in page and "src=" not in page, "the page loads something"
for section in ("The doctor", "Curves", "The model on the test set", "Inside the network", "Weights",
                "Knobs and data", "Final figures (result.json)"):
    assert f"<h2>{section}</h2>" in page, section
for part in ("ROC curve", "Precision-recall curve", "Calibration", "<h3>Thresholds</h3>", "best F1: "):
    assert part in page, part
PY

# A multi-class table names its classes in the confusion matrix; a regression table draws its predictions.
/usr/bin/python3 - "$work" <<'PY' || fail "could not write the tables"
import random, sys
random.seed(3)
with open(f"{sys.argv[1]}/classes.csv", "w") as f, open(f"{sys.argv[1]}/values.csv", "w") as g:
    f.write("a,b,kind\n"); g.write("a,b,y\n")
    for i in range(300):
        a, b = random.gauss(0, 1), random.gauss(0, 1)
        f.write(f"{a},{b},{'oak' if a > 0.5 else 'elm' if b > 0 else 'ash'}\n")
        g.write(f"{a},{b},{round(100 + 30 * a - 20 * b)}\n")
PY
for table in classes values; do
  label=$([ $table = classes ] && echo kind || echo y)
  out=$("$lever" train -q --train-file "$work/$table.csv" --test-file "$work/$table.csv" --label $label --steps 300 \
    --job-dir "$work/$table" --doctor 2>&1) || fail "train $table: exit $?" "$out"
  out=$("$lever" report "$work/$table" -o "$work/$table.html" 2>&1) || fail "report $table: exit $?" "$out"
done
/usr/bin/python3 - "$work/classes.html" "$work/values.html" <<'PY' || fail "report: the multi-class or regression section"
import re, sys
classes, values = open(sys.argv[1]).read(), open(sys.argv[2]).read()
header = re.search(r"<h3>Confusion matrix</h3>.*?<tr><th></th>(.*?)</tr>", classes, re.S).group(1)
assert header == "<th>ash</th><th>elm</th><th>oak</th>", header
diagonal = [int(v) for v in re.findall(r'<td class="diagonal">(\d+)</td>', classes)]
assert len(diagonal) == 3 and sum(diagonal) >= 270, diagonal      # 300 rows, the model learned the rule
assert "Predictions against labels" in values and values.count("<circle") == 300, values.count("<circle")
PY
expect_exit2 "nothing to report: no doctor_record.json (lever train --doctor --job-dir DIR writes one), sweep.json" "$lever" report "$work" -o "$work/x.html"
expect_exit2 "$work/no/such/dir/page.html" "$lever" report "$work/job" -o "$work/no/such/dir/page.html"
# The page may go into the job directory, never over what it reads or another of its files.
cp "$work/job/doctor_record.json" "$work/record.before"
expect_exit2 "is the input file $work/job/doctor_record.json; writing it would destroy the input" "$lever" report "$work/job" -o "$work/job/doctor_record.json"
expect_exit2 "would overwrite a file of $work/job that is not a report page" "$lever" report "$work/job" -o "$work/job/events.jsonl"
cmp -s "$work/record.before" "$work/job/doctor_record.json" || fail "report: -o over the record changed it"
out=$("$lever" report "$work/job" -o "$work/job/report.html" 2>&1) || fail "report into the job directory: exit $?" "$out"
out=$("$lever" report "$work/job" -o "$work/job/report.html" 2>&1) || fail "report over an earlier page: exit $?" "$out"

# A sweep's directory and a study's directory get their own pages.
out=$("$lever" sweep -q --knob learning_rate=0.001,0.03,1 -o "$work/sweep" -- --dataset spiral --steps 300 2>&1) ||
  fail "sweep: exit $?" "$out"
out=$("$lever" report "$work/sweep" -o "$work/sweep.html" 2>&1) || fail "report of a sweep: exit $?" "$out"
/usr/bin/python3 - "$work/sweep.html" <<'PY' || fail "report of a sweep: the page"
import re, sys, xml.dom.minidom
page = open(sys.argv[1]).read()
svgs = re.findall(r"<svg.*?</svg>", page, re.S)
assert len(svgs) == 3, len(svgs)                 # the curves, the loss and the shares against the rate
for svg in svgs:
    xml.dom.minidom.parseString(svg)
assert "<p>3 runs over learning_rate;" in page and "<h2>The effect of learning_rate</h2>" in page
assert page.count("<td class=") == 3, page.count("<td class=")   # one doctor's verdict per run
PY
cat > "$work/study.yaml" <<YAML
trainingInput:
  hyperparameters:
    goal: MINIMIZE
    hyperparameterMetricTag: loss
    maxTrials: 3
    maxParallelTrials: 2
    params:
    - {parameterName: learning_rate, type: DOUBLE, minValue: 0.001, maxValue: 1, scaleType: UNIT_LOG_SCALE}
trainer:
  command: ["$lever", train, --dataset, spiral, --steps, "200", --doctor]
YAML
out=$("$lever" tune --config "$work/study.yaml" --study-dir "$work/study" 2>&1) || fail "tune: exit $?" "$out"
out=$("$lever" report "$work/study" -o "$work/study.html" 2>&1) || fail "report of a study: exit $?" "$out"
/usr/bin/python3 - "$work/study.html" <<'PY' || fail "report of a study: the page"
import re, sys, xml.dom.minidom
page = open(sys.argv[1]).read()
svgs = re.findall(r"<svg.*?</svg>", page, re.S)
assert len(svgs) == 2, len(svgs)                 # metric by trial, metric against the learning rate
for svg in svgs:
    xml.dom.minidom.parseString(svg)
assert "MINIMIZE loss; 3 trials: 3 COMPLETED." in page, page[:600]
rows = re.findall(r"<tr><td>\d+</td><td>COMPLETED</td>.*?<td class=\"(?:healthy|alarm)\">([a-z_]+)</td>", page)
assert len(rows) == 3, rows                      # each trial's doctor's verdict, from its doctor.json
PY

# A study.db that is not lever's is refused, and left as it was (opened read-only).
mkdir "$work/foreign"
/usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("create table x(a)"); c.commit()' \
  "$work/foreign/study.db"
before=$(md5sum < "$work/foreign/study.db")
expect_exit2 "is not a lever study database (it lacks lever's tables" "$lever" report "$work/foreign" -o "$work/f.html"
expect_exit2 "is not a lever study database" "$lever" tune --show "$work/foreign"
[ "$(md5sum < "$work/foreign/study.db")" == "$before" ] && [ ! -e "$work/foreign/study.db-wal" ] ||
  fail "report: a foreign study.db was changed"
# A directory or a pipe where a record should be: a clear error, no hang.
mkdir -p "$work/odd/doctor_record.json"
expect_exit2 "is not a file (a directory, a pipe or a device)" "$lever" report "$work/odd" -o "$work/o.html"
mkdir "$work/pipe" && mkfifo "$work/pipe/sweep.json"
expect_exit2 "is not a file (a directory, a pipe or a device)" "$lever" report "$work/pipe" -o "$work/p.html"

browser=$(command -v chromium || true)
if [ -z "$browser" ]; then
  [ "${LEVER_REQUIRE_BROWSER:-0}" = 1 ] && fail "no chromium: .ci/run installs it (apt-get install chromium)"
  echo "SKIP: the headless-browser check (no chromium; apt-get install chromium)"
else
  flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$work/profile")
  dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/page.html" 2> "$work/chromium.log") ||
    fail "chromium --dump-dom: exit $?" "$(tail -5 "$work/chromium.log")"
  [ "$(grep -o "<svg" <<< "$dom" | wc -l)" -eq 11 ] && [ "$(grep -o "<polyline" <<< "$dom" | wc -l)" -ge 10 ] ||
    fail "chromium: the rendered page lacks its plots" "$(head -c 400 <<< "$dom")"
  grep -qiE "Uncaught|CONSOLE\(.*error" "$work/chromium.log" && fail "chromium reported errors" "$(cat "$work/chromium.log")"
  for page in sweep:3 study:2; do
    dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/${page%:*}.html" 2>> "$work/chromium.log") ||
      fail "chromium --dump-dom ${page%:*}.html: exit $?" "$(tail -5 "$work/chromium.log")"
    [ "$(grep -o "<svg" <<< "$dom" | wc -l)" -eq "${page#*:}" ] || fail "chromium: ${page%:*}.html lacks its plots"
  done
  timeout 120 "$browser" "${flags[@]}" --window-size=1000,3000 --screenshot="$work/page.png" "file://$work/page.html" \
    > /dev/null 2>> "$work/chromium.log" || fail "chromium --screenshot: exit $?" "$(tail -5 "$work/chromium.log")"
  /usr/bin/python3 - "$work/page.png" <<'PY' || fail "chromium: the screenshot is blank or not a PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000, len(data)
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1000, 3000), (width, height)
PY
fi
finish
