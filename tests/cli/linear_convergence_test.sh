#!/usr/bin/env bash
# `lever linear --loss squared` on scikit-learn's diabetes table (10 standardized features, whole-number
# targets 25..346): with the defaults, coordinate descent and the online solver come within 5% of
# scikit-learn's test RMSE on the same split (measured here, with LinearRegression and Ridge(alpha=1)),
# and a fit cut short says so: a warning line, and "convergence" in --json.
lever=$1
source "$(dirname "$0")/lib.sh"

# The split, the CSVs and scikit-learn's best RMSE of the two models (58.13, Ridge, with scikit-learn 1.2).
bar=$(/usr/bin/python3 - "$work" <<'PY'
import sys
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import train_test_split
x, y = load_diabetes(return_X_y=True)
names = load_diabetes().feature_names
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0)
for name, a, b in (("train", x_train, y_train), ("test", x_test, y_test)):
    with open(f"{sys.argv[1]}/{name}.csv", "w") as f:
        f.write(",".join(names) + ",target\n")
        for row, t in zip(a, b):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(t)}\n")
rmse = [np.sqrt(np.mean((m.fit(x_train, y_train).predict(x_test) - y_test) ** 2)) for m in (LinearRegression(), Ridge(alpha=1.0))]
print(min(rmse))
PY
) || { echo "FAIL: could not write the diabetes table"; exit 1; }
data=(--train "$work/train.csv" --test "$work/test.csv" --label target --loss squared)

# rmse_within <what> <json> <factor>: the run's RMSE is at most factor x scikit-learn's.
rmse_within() {
  /usr/bin/python3 -c 'import json, sys; r = json.loads(sys.argv[1])["rmse"]; sys.exit(0 if r <= float(sys.argv[3]) * float(sys.argv[2]) else 1)' \
    "$2" "$bar" "$3" || fail "$1: RMSE over $3 x scikit-learn's $bar" "$2"
}

for solver in cd online; do
  out=$("$lever" linear "${data[@]}" --solver "$solver" --json 2>&1) || fail "$solver: exit $?" "$out"
  # Both converge with their defaults: within 5% of scikit-learn.
  rmse_within "$solver defaults" "$out" 1.05
  if [ "$solver" = cd ]; then
    [[ "$out" == *'"converged":true'* ]] || fail "cd defaults: not converged" "$out"
    out=$("$lever" linear "${data[@]}" --solver cd 2>&1)
    [[ "$out" != *"not converged"* ]] || fail "cd defaults: a not-converged warning" "$out"
  fi
done

# Two sweeps are not enough: the warning names the sweeps, the figures and the knobs; --json carries it.
out=$("$lever" linear "${data[@]}" --solver cd --max-sweeps 2 -q 2>&1)
want="warning: not converged: 2 sweeps (--max-sweeps) ended with a relative change of "
[[ "$out" == *"$want"*"> --tolerance 1.0e-04; raise --max-sweeps or loosen --tolerance"* ]] || fail "--max-sweeps 2: no warning" "$out"
out=$("$lever" linear "${data[@]}" --solver cd --max-sweeps 2 --json 2> /dev/null)
/usr/bin/python3 -c '
import json, sys
c = json.loads(sys.argv[1])["convergence"]
assert c["converged"] is False and c["iterations"] == 2 and c["change"] > c["tolerance"] == 1e-4, c
assert c["reason"].startswith("not converged: 2 sweeps (--max-sweeps)"), c' "$out" || fail "--max-sweeps 2 --json" "$out"

# One pass of batches of 256 (2 steps) ends with the loss still falling: it says so.
out=$("$lever" linear "${data[@]}" -q --passes 1 --batch-size 256 2>&1)
[[ "$out" == *"warning: not converged: the training loss still fell "*"raise --passes (or --steps) or --learning-rate"* ]] ||
  fail "online, one pass: no warning" "$out"

# The online defaults (batches of rows / 16, passes until the loss of a pass stops falling) converge, and
# reach coordinate descent's converged RMSE within 2%.
out=$("$lever" linear "${data[@]}" --json 2>&1)
cd_out=$("$lever" linear "${data[@]}" --solver cd --json 2>&1)
/usr/bin/python3 -c '
import json, sys
online, cd = json.loads(sys.argv[1].splitlines()[-1]), json.loads(sys.argv[2].splitlines()[-1])
assert online["convergence"]["converged"] is True, online
assert online["convergence"]["reason"] == "", online
assert online["rmse"] <= 1.02 * cd["rmse"], (online["rmse"], cd["rmse"])' "$out" "$cd_out" ||
  fail "online defaults: not converged or RMSE more than 2% above coordinate descent" "$out"

finish
