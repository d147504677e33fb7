// lever playground: the page's side. The server trains (lever playground); the page sends the knobs, asks
// for play/pause/step/reset, and draws the frames it streams (Server-Sent Events): the decision boundary,
// every hidden unit's output, the loss curves and the training doctor's findings.

const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'spiral3', 'rings3', 'gauss4', 'plane', 'multigauss'];
const FEATURES = [
  ['x1', 'X\u2081'], ['x2', 'X\u2082'], ['x1_sq', 'X\u2081\u00b2'], ['x2_sq', 'X\u2082\u00b2'],
  ['x1_x2', 'X\u2081X\u2082'], ['sin_x1', 'sin(X\u2081)'], ['sin_x2', 'sin(X\u2082)'],
];
const CHOICES = {
  learning_rate: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  optimizer: ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'ftrl'],
  lr_schedule: ['constant', 'exponential', 'cosine'],
  activation: ['relu', 'tanh', 'sigmoid', 'linear', 'leaky_relu', 'elu', 'gelu'],
  regularization_rate: [0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  initializer: ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal', 'zeros', 'ones'],
  dropout: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
  clip_norm: [0, 0.1, 1, 5, 10],
  speed: [['max', 0], ['10,000 steps/s', 10000], ['1,000 steps/s', 1000], ['100 steps/s', 100]],
};
// The page's first run: lever train's Playground network with the sine features, which learn the spiral.
const DEFAULTS = {
  dataset: 'circle', learning_rate: 0.01, optimizer: 'adam', lr_schedule: 'constant', activation: 'tanh',
  regularization: 'none', regularization_rate: 0, batch_size: 10, noise: 0, train_percent: 50, seed: 1,
  features: ['x1', 'x2', 'sin_x1', 'sin_x2'], hidden: '8,8', initializer: 'glorot_uniform', dropout: 0,
  batch_norm: false, clip_norm: 0,
};
// The doctor's knobs (`--flag value`) and the controls they set.
const FLAG_CONTROLS = {
  '--learning-rate': 'learning_rate', '--optimizer': 'optimizer', '--activation': 'activation',
  '--batch-size': 'batch_size', '--hidden': 'hidden', '--initializer': 'initializer', '--dropout': 'dropout',
  '--clip-norm': 'clip_norm', '--features': 'features', '--l1': 'l1', '--l2': 'l2', '--batch-norm': 'batch_norm',
};

const $ = (id) => document.getElementById(id);
const state = {
  session: null, ready: null, events: null, boundary: null, dataset: DEFAULTS.dataset, points: null, classification: true, command: '',
  playing: false, curve: [], pinned: null, pinnedLabel: '', table: null,
};
// The largest table the server takes (lever playground: 16 MiB).
const MAX_UPLOAD = 16 << 20;

// ---- Server calls ------------------------------------------------------------------------------------
async function call(method, path, body) {
  const response = await fetch(path, {
    method, headers: {'Content-Type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

// ---- Knobs -------------------------------------------------------------------------------------------
function fillSelect(id, values) {
  const select = $(id);
  for (const v of values) {
    const [label, value] = Array.isArray(v) ? v : [String(v), v];
    const option = document.createElement('option');
    option.textContent = label;
    option.value = String(value);
    select.appendChild(option);
  }
}

function setControl(id, value) {
  const element = $(id);
  if (element.type === 'checkbox') {
    element.checked = Boolean(value);
  } else {
    if (element.tagName === 'SELECT' && ![...element.options].some((o) => o.value === String(value))) {
      fillSelect(id, [value]);
    }
    element.value = String(value);
  }
}

function knobs() {
  const data = state.table ? {
    table: state.table.table, label: $('table_label').value, plane: [$('plane_x').value, $('plane_y').value],
  } : {
    dataset: state.dataset,
    noise: Number($('noise').value),
    features: FEATURES.map(([name]) => name).filter((name) => $(`feature-${name}`).checked),
  };
  const k = {
    ...data,
    train_percent: Number($('train_percent').value),
    seed: Number($('seed').value),
    hidden: $('hidden').value.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number),
    activation: $('layer_activations').value.replace(/\s+/g, '') || $('activation').value,
    initializer: $('initializer').value,
    optimizer: $('optimizer').value,
    learning_rate: Number($('learning_rate').value),
    lr_schedule: $('lr_schedule').value,
    dropout: Number($('dropout').value),
    batch_norm: $('batch_norm').checked,
    clip_norm: Number($('clip_norm').value),
    batch_size: Number($('batch_size').value),
  };
  if (k.lr_schedule !== 'constant') k.decay_steps = 1000;
  const rate = Number($('regularization_rate').value);
  if ($('regularization').value === 'L1') k.l1 = rate;
  if ($('regularization').value === 'L2') k.l2 = rate;
  return k;
}

// One request at a time, each with the knobs as they are when it is sent: the server applies them in the
// order they were turned.
// The first request waits for the session (a knob turned while the page loads is not lost).
let knobsSent = null;
function sendKnobs() {
  knobsSent = (knobsSent || state.ready).then(async () => {
    try {
      const data = await call('POST', `/api/sessions/${state.session}/knobs`, knobs());
      state.command = data.command;
      showError('');
    } catch (error) {
      showError(error.message);
    }
  });
  return knobsSent;
}

// A finding's knob ("--learning-rate 0.001", "--hidden 16,16", "--batch-norm") turned on the page.
function applyKnob(knob) {
  const [flag, ...rest] = knob.trim().split(/\s+/);
  const value = rest.join(' ');
  const control = FLAG_CONTROLS[flag];
  if (control === 'features') {
    const names = value.split(',');
    for (const [name] of FEATURES) $(`feature-${name}`).checked = names.includes(name);
  } else if (control === 'l1' || control === 'l2') {
    setControl('regularization', control.toUpperCase());
    setControl('regularization_rate', Number(value));
  } else if (control === 'batch_norm') {
    setControl('batch_norm', true);
  } else if (control === 'activation') {
    setControl('activation', value);
    setControl('layer_activations', '');
  } else if (control === 'hidden' || control === 'optimizer' || control === 'initializer') {
    setControl(control, value);
  } else if (control) {
    setControl(control, Number(value));
  } else {
    return false;  // --steps: keep playing
  }
  return true;
}

// ---- Drawing -----------------------------------------------------------------------------------------
// -1..1 from orange through white to blue, as the Playground draws it; `strength` below 1 pales it (the
// plane behind the points, so a point on its own class's side still shows).
function color(t, strength = 1) {
  const [r0, g0, b0] = t < 0 ? [245, 147, 34] : [8, 119, 189];
  const a = Math.min(1, Math.abs(t)) * strength;
  return [255 + (r0 - 255) * a, 255 + (g0 - 255) * a, 255 + (b0 - 255) * a];
}

// A multi-class plane: one colour per class, paler where the model is less sure (0..1).
const PALETTE = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40], [140, 86, 75],
  [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
function classColor(id, sure = 1, strength = 1) {
  const [r0, g0, b0] = PALETTE[id % PALETTE.length];
  const a = Math.max(0, Math.min(1, sure)) * strength;
  return [255 + (r0 - 255) * a, 255 + (g0 - 255) * a, 255 + (b0 - 255) * a];
}

// A point's colour by its label: a class's, or a regression's value over the labels' range.
function labelColor(label) {
  const points = state.points;
  if (points.classes > 2) return classColor(label);
  if (points.classes === 2) return color(2 * label - 1);
  const [lo, hi] = points.label_range;
  return color(hi > lo ? (2 * (label - lo)) / (hi - lo) - 1 : 0);
}

function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; ++i) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const grids = new Map();  // size and strength -> a canvas of size x size pixels, reused
function gridCanvas(size, bytes, strength = 1, classes = null) {
  let canvas = grids.get(`${size}/${strength}`);
  if (!canvas) {
    canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    grids.set(`${size}/${strength}`, canvas);
  }
  const context = canvas.getContext('2d');
  const image = context.createImageData(size, size);
  for (let i = 0; i < bytes.length; ++i) {
    const [r, g, b] = classes ? classColor(classes[i], bytes[i] / 255, strength) : color(bytes[i] / 127.5 - 1, strength);
    image.data[4 * i] = r;
    image.data[4 * i + 1] = g;
    image.data[4 * i + 2] = b;
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

function drawBoundary(boundary = state.boundary) {
  state.boundary = boundary;
  const canvas = $('boundary');
  const context = canvas.getContext('2d');
  context.imageSmoothingEnabled = true;
  if (boundary) {
    const classes = boundary.classes ? decode(boundary.classes) : null;
    context.drawImage(gridCanvas(boundary.size, decode(boundary.values), 0.6, classes), 0, 0, canvas.width, canvas.height);
  } else {
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  if (!state.points) return;
  const {x: ax, y: ay} = state.points;
  const radius = state.points.train.length > 1000 ? 2 : 3.5;
  const draw = (rows, stroke) => {
    for (const [x, y, label] of rows) {
      const [r, g, b] = labelColor(label);
      context.beginPath();
      context.arc(((x - ax.min) / (ax.max - ax.min)) * canvas.width, ((ay.max - y) / (ay.max - ay.min)) * canvas.height,
        radius, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${r},${g},${b})`;
      context.fill();
      context.strokeStyle = stroke;
      context.lineWidth = 1;
      context.stroke();
    }
  };
  draw(state.points.train, '#fff');
  if ($('show-test').checked) draw(state.points.test, '#000');
}

function drawNeurons(neurons) {
  const box = $('neurons');
  const shape = neurons.map((l) => l.units.length).join(',');
  if (box.dataset.shape !== shape) {
    box.replaceChildren();
    for (const layer of neurons) {
      const column = document.createElement('div');
      column.className = 'layer';
      const title = document.createElement('span');
      title.textContent = `${layer.layer} (${layer.units.length})`;
      column.appendChild(title);
      for (let u = 0; u < layer.units.length; ++u) {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = layer.size;
        canvas.title = `${layer.layer}, unit ${u}`;
        column.appendChild(canvas);
      }
      box.appendChild(column);
    }
    box.dataset.shape = shape;
  }
  neurons.forEach((layer, l) => {
    const canvases = box.children[l].querySelectorAll('canvas');
    layer.units.forEach((values, u) => {
      canvases[u].getContext('2d').drawImage(gridCanvas(layer.size, decode(values)), 0, 0);
    });
  });
}

function drawCurves() {
  const canvas = $('loss-chart');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  const series = [[state.curve, false]];
  if (state.pinned) series.push([state.pinned, true]);
  let top = 0;
  let last = 1;
  for (const [curve] of series) {
    for (const p of curve) top = Math.max(top, p.train || 0, p.test || 0);
    if (curve.length) last = Math.max(last, curve[curve.length - 1].step);
  }
  if (top <= 0) return;
  const x = (step) => (step / last) * (canvas.width - 4) + 2;
  const y = (loss) => canvas.height - 4 - (Math.min(loss, top) / top) * (canvas.height - 8);
  for (const [curve, dashed] of series) {
    for (const [key, stroke] of [['test', '#000'], ['train', '#999']]) {
      context.beginPath();
      context.setLineDash(dashed ? [4, 3] : []);
      context.strokeStyle = stroke;
      curve.forEach((p, i) => (i ? context.lineTo(x(p.step), y(p[key])) : context.moveTo(x(p.step), y(p[key]))));
      context.stroke();
    }
  }
  context.setLineDash([]);
}

function showDoctor(doctor) {
  const box = $('doctor');
  box.replaceChildren();
  const items = doctor.findings.length ? doctor.findings : [{id: 'healthy', evidence: doctor.summary}];
  for (const f of items) {
    const item = document.createElement('div');
    item.className = `finding${f.id === 'healthy' ? ' healthy' : ''}`;
    const id = document.createElement('span');
    id.className = 'id';
    id.textContent = f.id;
    item.append(id, document.createElement('br'), f.evidence);
    if (f.knob) {
      const button = document.createElement('button');
      button.textContent = `Apply ${f.knob}`;
      button.className = 'apply';
      button.addEventListener('click', async () => {
        if (applyKnob(f.knob)) {
          await sendKnobs();
          await control('play');
        } else {
          await control('play');
        }
      });
      item.append(document.createElement('br'), button);
    }
    box.appendChild(item);
  }
}

function onFrame(frame) {
  $('step-count').textContent = frame.step.toLocaleString('en');
  $('rate').textContent = frame.steps_per_second ? Math.round(frame.steps_per_second).toLocaleString('en') : '-';
  state.playing = frame.playing;
  $('play').classList.toggle('playing', frame.playing);
  $('play').innerHTML = frame.playing ? '&#10074;&#10074;' : '&#9654;';
  $('command').textContent = state.command.replace(/--steps \d+$/, `--steps ${frame.step}`);
  if (frame.diverged) {
    $('test-loss').innerHTML = '<span class="diverged">diverged</span>';
    $('train-loss').textContent = `at step ${frame.diverged_at}`;
  } else {
    $('test-loss').textContent = frame.test_loss.toFixed(3);
    $('train-loss').textContent = frame.train_loss.toFixed(3);
    $('accuracy').textContent = frame.test_accuracy === undefined ? '' :
      `Test accuracy ${(100 * frame.test_accuracy).toFixed(1)}%`;
    const curve = state.curve;
    if (!curve.length || curve[curve.length - 1].step < frame.step) {
      curve.push({step: frame.step, train: frame.train_loss, test: frame.test_loss});
      if (curve.length > 2000) state.curve = curve.filter((_, i) => i % 2 === 0);
    }
    const started = performance.now();
    drawBoundary(frame.boundary);
    drawNeurons(frame.neurons);
    drawCurves();
    state.drawMs = performance.now() - started;  // the page's drawing time per frame (the tests report it)
  }
  if (frame.doctor) showDoctor(frame.doctor);
  state.lastFrame = frame;
}

// ---- Session -----------------------------------------------------------------------------------------
async function control(action) {
  try {
    await state.ready;
    await call('POST', `/api/sessions/${state.session}/control`, {action});
    showError('');
  } catch (error) {
    showError(error.message);
  }
}

async function start() {
  const created = await call('POST', '/api/sessions', knobs());
  state.session = created.id;
  state.command = created.command;
  const events = new EventSource(`/api/sessions/${state.session}/events`);
  events.addEventListener('data', (event) => {
    const data = JSON.parse(event.data);
    state.points = data;
    state.classification = data.classification;
    $('axis-x').textContent = `x: ${data.x.name} (${data.x.min.toFixed(2)} .. ${data.x.max.toFixed(2)})`;
    $('axis-y').textContent = `y: ${data.y.name} (${data.y.min.toFixed(2)} .. ${data.y.max.toFixed(2)})`;
    // The classes' colours, by the table's names for them.
    $('legend').replaceChildren(...(data.classes >= 2 ? data.class_names : []).map((name, id) => {
      const item = document.createElement('span');
      const [r, g, b] = data.classes > 2 ? classColor(id) : color(2 * id - 1);
      item.style.setProperty('--dot', `rgb(${r},${g},${b})`);
      item.textContent = name;
      return item;
    }));
    state.command = data.command;
    state.curve = [];
    state.lastFrame = null;
    $('doctor').replaceChildren();
    drawBoundary(null);
  });
  events.addEventListener('frame', (event) => onFrame(JSON.parse(event.data)));
  events.onerror = () => showError('The connection to lever playground was lost; it retries (restart the server and reload if it does not come back).');
  events.onopen = () => showError('');
  state.events = events;
  window.addEventListener('beforeunload', () => fetch(`/api/sessions/${state.session}`, {method: 'DELETE', keepalive: true}));
}

function buildControls() {
  for (const id of ['learning_rate', 'optimizer', 'lr_schedule', 'activation', 'regularization_rate', 'initializer',
                    'dropout', 'clip_norm', 'speed']) {
    fillSelect(id, CHOICES[id]);
  }
  for (const name of DATASETS) {
    const button = document.createElement('button');
    button.textContent = name;
    button.dataset.dataset = name;
    button.addEventListener('click', () => {
      showTable(null);
      state.dataset = name;
      for (const b of $('datasets').children) b.classList.toggle('selected', b.dataset.dataset === name);
      sendKnobs();
    });
    $('datasets').appendChild(button);
  }
  for (const [name, label] of FEATURES) {
    const row = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `feature-${name}`;
    box.checked = DEFAULTS.features.includes(name);
    box.addEventListener('change', sendKnobs);
    row.append(box, label);
    $('feature-list').appendChild(row);
  }
  for (const [id, value] of Object.entries(DEFAULTS)) {
    if (id !== 'dataset' && id !== 'features') setControl(id, value);
  }
  for (const b of $('datasets').children) b.classList.toggle('selected', b.dataset.dataset === state.dataset);
  for (const id of ['learning_rate', 'optimizer', 'lr_schedule', 'activation', 'regularization', 'regularization_rate',
                    'batch_size', 'seed', 'hidden', 'layer_activations', 'initializer', 'dropout', 'batch_norm',
                    'clip_norm']) {
    $(id).addEventListener('change', sendKnobs);
  }
  for (const id of ['noise', 'train_percent']) {
    $(id).addEventListener('input', () => { $(`${id}_value`).textContent = $(id).value; });
    $(id).addEventListener('change', sendKnobs);
  }
  $('speed').addEventListener('change', () => state.ready.then(() =>
    call('POST', `/api/sessions/${state.session}/control`, {steps_per_second: Number($('speed').value)})).catch((e) => showError(e.message)));
  $('play').addEventListener('click', () => control(state.playing ? 'pause' : 'play'));
  $('step').addEventListener('click', () => control('step'));
  $('reset').addEventListener('click', () => control('reset'));
  $('show-test').addEventListener('change', () => drawBoundary());
  $('export').addEventListener('click', exportModel);
  $('copy-command').addEventListener('click', () => navigator.clipboard && navigator.clipboard.writeText($('command').textContent));
  $('pin').addEventListener('click', () => {
    state.pinned = state.curve.slice();
    state.pinnedLabel = $('command').textContent;
    $('pinned-label').textContent = `Pinned (dashed): ${state.pinnedLabel}`;
    $('unpin').hidden = false;
    drawCurves();
  });
  $('unpin').addEventListener('click', () => {
    state.pinned = null;
    $('pinned-label').textContent = '';
    $('unpin').hidden = true;
    drawCurves();
  });
}

// ---- Export ------------------------------------------------------------------------------------------
// The run at its current step as a zip the browser saves (lever's message when it cannot be exported).
async function exportModel() {
  try {
    await state.ready;
    const response = await fetch(`/api/sessions/${state.session}/export`);
    if (!response.ok) {
      const data = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
      throw new Error(data.error || `HTTP ${response.status}`);
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '')?.[1] || 'lever-run.zip';
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    showError('');
  } catch (error) {
    showError(`Cannot export: ${error.message}`);
  }
}

// ---- An uploaded table ------------------------------------------------------------------------------
// The label column a table most likely has: one named as labels usually are, else the last.
function guessLabel(columns) {
  const names = columns.map((c) => c.name);
  for (const n of names) if (/^(label|target|y|class|outcome)$/i.test(n)) return n;
  return names[names.length - 1];
}

// The plane's columns: numeric columns but the label; the page picks the first two.
function numericColumns() {
  const label = $('table_label').value;
  return state.table.columns.filter((c) => c.type !== 'string' && c.name !== label).map((c) => c.name);
}

// The axes' columns as they are, for a change that swaps them.
function rememberPlane() {
  state.plane = {plane_x: $('plane_x').value, plane_y: $('plane_y').value};
}

function fillAxes() {
  const numeric = numericColumns();
  for (const [id, at] of [['plane_x', 0], ['plane_y', 1]]) {
    const keep = $(id).value;
    $(id).replaceChildren();
    fillSelect(id, numeric);
    $(id).value = numeric.includes(keep) && keep !== '' ? keep : (numeric[at] || '');
  }
  if ($('plane_x').value === $('plane_y').value && numeric.length > 1) $('plane_y').value = numeric.find((n) => n !== $('plane_x').value);
  rememberPlane();
  const others = state.table.columns.length - 1;
  $('table-features').textContent = `Every column but the label: ${others} column${others === 1 ? '' : 's'} (text columns as one 0/1 input per value), standardized; the plane shows two of them, the others held at their mean.`;
}

// Shows (table) or hides (null) the table's controls; the Playground's dataset knobs the other way round.
function showTable(table) {
  state.table = table;
  $('table-controls').hidden = !table;
  $('feature-list').hidden = Boolean(table);
  $('table-features').hidden = !table;
  $('noise').disabled = Boolean(table);
  if (!table) return;
  for (const b of $('datasets').children) b.classList.remove('selected');
  $('table-name').textContent = `${table.name}: ${table.rows.toLocaleString('en')} rows, ${table.columns.length} columns`;
  $('table_label').replaceChildren();
  fillSelect('table_label', table.columns.map((c) => c.name));
  $('table_label').value = guessLabel(table.columns);
  fillAxes();
}

async function upload(file) {
  if (file.size > MAX_UPLOAD) return showError(`${file.name} is larger than 16 MiB: upload a sample of its rows`);
  try {
    const response = await fetch(`/api/tables?name=${encodeURIComponent(file.name)}`, {
      method: 'POST', headers: {'Content-Type': 'text/csv'}, body: file,
    });
    const data = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    if (data.columns.length < 3) throw new Error(`${data.name} has ${data.columns.length} columns: the plane needs two besides the label`);
    showTable(data);
    await sendKnobs();
  } catch (error) {
    showError(`Cannot use ${file.name}: ${error.message}`);
  }
}

function buildTableControls() {
  $('upload').addEventListener('change', () => { if ($('upload').files[0]) upload($('upload').files[0]); });
  $('table_label').addEventListener('change', () => { fillAxes(); sendKnobs(); });
  // Choosing for one axis the other's column swaps them (a plane needs two columns).
  for (const [id, other] of [['plane_x', 'plane_y'], ['plane_y', 'plane_x']]) {
    $(id).addEventListener('change', () => {
      if ($(id).value === $(other).value && state.plane) $(other).value = state.plane[id];
      rememberPlane();
      sendKnobs();
    });
  }
}

window.leverPlayground = state;  // what the browser tests read
buildTableControls();
buildControls();
state.ready = start().catch((error) => showError(`Cannot start a session: ${error.message}`));
