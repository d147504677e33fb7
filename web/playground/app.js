// lever playground: the page's side. The server trains (lever playground); the page sends the knobs, asks
// for play/pause/step/reset, and draws the frames it streams (Server-Sent Events): the decision boundary,
// every hidden unit's output, the loss curves and the training doctor's findings.

const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'plane', 'multigauss'];
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
  playing: false, curve: [], pinned: null, pinnedLabel: '',
};

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
  const k = {
    dataset: state.dataset,
    noise: Number($('noise').value),
    train_percent: Number($('train_percent').value),
    seed: Number($('seed').value),
    features: FEATURES.map(([name]) => name).filter((name) => $(`feature-${name}`).checked),
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

function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; ++i) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const grids = new Map();  // size and strength -> a canvas of size x size pixels, reused
function gridCanvas(size, bytes, strength = 1) {
  let canvas = grids.get(`${size}/${strength}`);
  if (!canvas) {
    canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    grids.set(`${size}/${strength}`, canvas);
  }
  const context = canvas.getContext('2d');
  const image = context.createImageData(size, size);
  for (let i = 0; i < bytes.length; ++i) {
    const [r, g, b] = color(bytes[i] / 127.5 - 1, strength);
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
    context.drawImage(gridCanvas(boundary.size, decode(boundary.values), 0.6), 0, 0, canvas.width, canvas.height);
  } else {
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  if (!state.points) return;
  const domain = state.points.domain;
  const scale = canvas.width / (2 * domain);
  const draw = (rows, stroke) => {
    for (const [x1, x2, label] of rows) {
      const t = state.classification ? 2 * label - 1 : Math.max(-1, Math.min(1, label));
      const [r, g, b] = color(t);
      context.beginPath();
      context.arc((x1 + domain) * scale, (domain - x2) * scale, 3.5, 0, 2 * Math.PI);
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

window.leverPlayground = state;  // what the browser tests read
buildControls();
state.ready = start().catch((error) => showError(`Cannot start a session: ${error.message}`));
