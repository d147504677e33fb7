// lever playground in a browser: the end-to-end checks. The server is started by
// tests/playground/run_browser_tests.sh (PLAYGROUND_URL, LEVER, PLAYGROUND_SCREENSHOTS).
const {test, expect} = require('@playwright/test');
const {execFileSync} = require('child_process');
const path = require('path');

const screenshots = process.env.PLAYGROUND_SCREENSHOTS || 'test-results';
const frame = (page) => page.evaluate(() => window.leverPlayground.lastFrame || null);

async function open(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto('/');
  await expect(page.locator('#datasets button')).toHaveCount(9);
  return errors;
}

async function play(page, timeout = 5_000) {
  await page.click('#play');
  await expect(page.locator('#play')).toHaveClass(/playing/, {timeout});
}

test('spiral: the default network learns it within 10 s, and the page draws it', async ({page}) => {
  const errors = await open(page);
  await page.click('#datasets button[data-dataset=spiral]');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--dataset spiral');
  const started = Date.now();
  await play(page);
  await expect.poll(async () => (await frame(page))?.test_loss ?? 1, {timeout: 10_000}).toBeLessThan(0.1);
  const seconds = (Date.now() - started) / 1000;
  // The boundary, every hidden unit, the curve and the doctor are drawn.
  await expect(page.locator('#neurons canvas')).toHaveCount(16);
  await expect(page.locator('#doctor .finding')).not.toHaveCount(0);
  const f = await frame(page);
  console.log(`spiral test loss ${f.test_loss.toFixed(4)} at step ${f.step} after ${seconds.toFixed(2)} s; ` +
              `${Math.round(f.steps_per_second)} steps/s while streaming`);
  // Frames drawn per second by the page while it trains.
  const fps = await page.evaluate(() => new Promise((resolve) => {
    let frames = 0;
    const count = () => { frames += 1; };
    const source = window.leverPlayground.events;
    source.addEventListener('frame', count);
    let paints = 0;
    const draws = [];
    source.addEventListener('frame', () => setTimeout(() => draws.push(window.leverPlayground.drawMs), 0));
    const tick = () => { paints += 1; if (paints < 120) requestAnimationFrame(tick); };
    const start = performance.now();
    requestAnimationFrame(tick);
    setTimeout(() => {
      source.removeEventListener('frame', count);
      draws.sort((a, b) => a - b);
      resolve({frames: frames / ((performance.now() - start) / 1000), paints: paints / ((performance.now() - start) / 1000),
               draw: draws[Math.floor(draws.length / 2)], slowest: draws[draws.length - 1]});
    }, 2000);
  }));
  console.log(`frames received ${fps.frames.toFixed(1)}/s, page repaints ${fps.paints.toFixed(1)}/s, drawing a ` +
              `frame (100 x 100 boundary, 16 units, curves) ${fps.draw.toFixed(2)} ms median, ${fps.slowest.toFixed(2)} ms slowest`);
  expect(fps.draw).toBeLessThan(16);  // room for 60 frames a second
  await page.screenshot({path: path.join(screenshots, 'playground_spiral.png')});
  expect(errors).toEqual([]);
});

test('a learning rate of 10 diverges, and the doctor says so', async ({page}) => {
  await open(page);
  await page.click('#datasets button[data-dataset=spiral]');
  await page.selectOption('#optimizer', 'sgd');
  await page.selectOption('#learning_rate', '10');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--learning-rate 10');
  await play(page);
  await expect(page.locator('#doctor')).toContainText('learning_rate_too_high', {timeout: 10_000});
  await expect(page.locator('#doctor button.apply').first()).toContainText('--learning-rate');
  // Applying the suggested knob trains again at the lower rate.
  await page.locator('#doctor button.apply').first().click();
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).not.toContain('--learning-rate 10 ');
  await page.screenshot({path: path.join(screenshots, 'playground_diverged.png')});
});

test('the command line reproduces the run', async ({page}) => {
  await open(page);
  await page.click('#datasets button[data-dataset=xor]');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--dataset xor');
  await page.click('#step');
  await page.click('#step');
  await expect.poll(async () => (await frame(page))?.step ?? 0).toBe(50);  // two passes of 250 rows in 10s
  const command = await page.locator('#command').textContent();
  expect(command).toMatch(/^lever train .* --steps 50$/);
  const f = await frame(page);
  const args = command.replace(/^lever train /, '').split(' ').map((a) => (a === "''" ? '' : a));
  const out = execFileSync(process.env.LEVER, ['train', '-q', ...args], {encoding: 'utf8'});
  const printed = /final: train loss ([0-9.]+)\s+test loss ([0-9.]+)/.exec(out);
  expect(printed).not.toBeNull();
  expect(Math.abs(Number(printed[1]) - f.train_loss)).toBeLessThan(5e-5);
  expect(Math.abs(Number(printed[2]) - f.test_loss)).toBeLessThan(5e-5);
});

// A table of three classes (the sign of a, and b > 0.5) with a text column and the label named "species".
function writeTable(dir) {
  const fs = require('fs');
  let text = 'a,colour,b,species\n';
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let i = 0; i < 600; ++i) {
    const a = 2 * random() - 1;
    const b = 2 * random() - 1;
    text += `${a.toFixed(4)},${['red', 'green', 'blue'][i % 3]},${b.toFixed(4)},${b > 0.5 ? 'setosa' : a > 0 ? 'virginica' : 'versicolor'}\n`;
  }
  fs.mkdirSync(dir, {recursive: true});
  const file = path.join(dir, 'iris like.csv');
  fs.writeFileSync(file, text);
  return file;
}

test('an uploaded CSV: three classes drawn on two chosen columns, and the command line reproduces it', async ({page}, info) => {
  const errors = await open(page);
  const file = writeTable(info.outputPath('table'));
  await page.setInputFiles('#upload', file);
  await expect(page.locator('#table-name')).toContainText('iris like.csv: 600 rows, 4 columns');
  await expect(page.locator('#table_label')).toHaveValue('species');
  await expect(page.locator('#plane_x')).toHaveValue('a');
  await expect(page.locator('#plane_y')).toHaveValue('b');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command))
    .toContain("lever train --train-file 'iris like.csv' --label species --train-percent 50");
  await expect.poll(() => page.evaluate(() => window.leverPlayground.points?.classes)).toBe(3);
  await page.selectOption('#learning_rate', '0.03');
  await play(page);
  await expect.poll(async () => (await frame(page))?.test_accuracy ?? 0, {timeout: 10_000}).toBeGreaterThan(0.9);
  const f0 = await frame(page);
  expect(f0.boundary.classes).toBeTruthy();
  await page.click('#play');
  await expect(page.locator('#play')).not.toHaveClass(/playing/);
  await page.screenshot({path: path.join(screenshots, 'playground_table.png')});
  // Swapping the axes draws the same run on another plane (a new run from step 0).
  await page.selectOption('#plane_x', 'b');  // the y axis had b: it takes a
  await expect.poll(() => page.evaluate(() => window.leverPlayground.points?.x.name)).toBe('b');
  await expect(page.locator('#plane_y')).toHaveValue('a');
  await page.click('#step');
  await expect.poll(async () => (await frame(page))?.step ?? 0).toBe(30);  // one pass: 300 training rows in batches of 10
  const command = await page.locator('#command').textContent();
  const f = await frame(page);
  const args = command.replace(/^lever train /, '').replace("'iris like.csv'", 'FILE').split(' ')
    .map((a) => (a === 'FILE' ? file : a));
  const out = execFileSync(process.env.LEVER, ['train', '-q', ...args], {encoding: 'utf8'});
  const printed = /final: train loss ([0-9.]+)\s+test loss ([0-9.]+)/.exec(out);
  expect(printed).not.toBeNull();
  expect(Math.abs(Number(printed[1]) - f.train_loss)).toBeLessThan(5e-5);
  expect(Math.abs(Number(printed[2]) - f.test_loss)).toBeLessThan(5e-5);
  // Back to a Playground dataset.
  await page.click('#datasets button[data-dataset=gauss]');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--dataset gauss');
  await expect(page.locator('#table-controls')).toBeHidden();
  expect(errors).toEqual([]);
});

test('bad tables are refused with the reason, and the server keeps serving', async ({request, page}) => {
  const cases = [
    ['', 400, 'the table is empty'],
    ['a,b\n', 400, 'no data rows'],
    ['x'.repeat((16 << 20) + 1), 413, 'larger than 16 MiB'],
  ];
  for (const [body, status, why] of cases) {
    const response = await request.post('/api/tables?name=bad.csv', {data: body, headers: {'Content-Type': 'text/csv'}});
    expect(response.status(), why).toBe(status);
    expect((await response.json()).error).toContain(why);
  }
  // A table whose columns do not fit the knobs: lever's message, with the page's name for the file.
  const uploaded = await request.post('/api/tables?name=/etc/passwd', {data: 'a,b,c\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n',
    headers: {'Content-Type': 'text/csv'}});
  expect(uploaded.status()).toBe(201);
  const table = await uploaded.json();
  expect(table.name).toBe('passwd');
  const wrong = await request.post('/api/sessions', {data: {table: table.table, label: 'nope'}});
  expect(wrong.status()).toBe(400);
  const message = (await wrong.json()).error;
  expect(message).toContain("passwd: the label column 'nope' is not in the file");
  expect(message).not.toContain('lever-playground-');
  const unknown = await request.post('/api/sessions', {data: {table: '0123456789abcdef', label: 'c'}});
  expect(unknown.status()).toBe(400);
  expect((await unknown.json()).error).toContain('no such table');
  const mixed = await request.post('/api/sessions', {data: {table: table.table, label: 'c', dataset: 'spiral'}});
  expect((await mixed.json()).error).toContain("knob 'dataset' is for a Playground dataset");
  await open(page);
});

test('a multi-class dataset: three spiral arms learned and drawn by class', async ({page}) => {
  const errors = await open(page);
  await page.click('#datasets button[data-dataset=spiral3]');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.points?.classes)).toBe(3);
  await page.fill('#hidden', '16,16');
  await page.locator('#hidden').blur();
  await page.selectOption('#learning_rate', '0.03');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--dataset spiral3');
  await play(page);
  await expect.poll(async () => (await frame(page))?.test_accuracy ?? 0, {timeout: 10_000}).toBeGreaterThan(0.85);
  expect((await frame(page)).boundary.classes).toBeTruthy();
  await expect(page.locator('#legend span')).toHaveCount(3);
  await page.screenshot({path: path.join(screenshots, 'playground_spiral3.png')});
  expect(errors).toEqual([]);
});

test('export: the model as a bundle lever predicts with, its run config and its data', async ({page}, info) => {
  const errors = await open(page);
  await page.click('#datasets button[data-dataset=spiral]');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--dataset spiral');
  for (let i = 0; i < 4; ++i) await page.click('#step');
  await expect.poll(async () => (await frame(page))?.step ?? 0).toBe(100);
  const f = await frame(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  expect(download.suggestedFilename()).toBe('lever-spiral-step100.zip');
  const dir = info.outputPath('export');
  const zip = path.join(dir, 'run.zip');
  await download.saveAs(zip);
  execFileSync('/usr/bin/python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, dir]);
  const run = path.join(dir, 'lever-spiral-step100');
  const command = require('fs').readFileSync(path.join(run, 'command.txt'), 'utf8').trim();
  expect(command).toBe(await page.locator('#command').textContent());
  // The bundle's test loss is the page's (to float rounding), and it predicts a row per test row.
  const evaluation = JSON.parse(execFileSync(process.env.LEVER,
    ['eval', '--model', path.join(run, 'bundle'), '--data', path.join(run, 'test.csv'), '--json'], {encoding: 'utf8'}));
  expect(Math.abs(evaluation.loss - f.test_loss)).toBeLessThan(1e-4);
  const predictions = execFileSync(process.env.LEVER, ['predict', '--model', path.join(run, 'bundle'), '--input',
    path.join(run, 'test.csv')], {encoding: 'utf8'}).trim().split('\n');
  expect(predictions.length).toBe(1 + 250);  // a header and the test rows
  const trained = execFileSync(process.env.LEVER, ['train', '-q', '--config', path.join(run, 'run.yaml'), '--job-dir',
    path.join(dir, 'job')], {encoding: 'utf8'});
  expect(trained).toContain('final: step');
  // Batch normalization has no run-config equivalent: the page says so.
  await page.check('#batch_norm');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--batch-norm');
  await page.click('#step');
  await page.click('#export');
  await expect(page.locator('#error')).toContainText('--batch-norm has no run-config equivalent');
  expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
});

test('an activation per layer, without the 8 x 6 limit', async ({page}) => {
  await open(page);
  await page.fill('#hidden', '32,16,12,10,9,9,9');
  await page.fill('#layer_activations', 'relu,relu,tanh,elu,leaky_relu,relu,tanh');
  await page.press('#layer_activations', 'Enter');
  await page.locator('#layer_activations').blur();
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command))
    .toContain('--hidden 32,16,12,10,9,9,9 --activation relu,relu,tanh,elu,leaky_relu,relu,tanh');
  await play(page);
  await expect.poll(async () => (await frame(page))?.step ?? 0).toBeGreaterThan(100);
  await expect(page.locator('#neurons canvas')).toHaveCount(32 + 16 + 12 + 10 + 9 + 9 + 9);
  // A count that does not match the layers is refused with lever's message, and the run goes on.
  await page.fill('#layer_activations', 'relu,tanh');
  await page.locator('#layer_activations').blur();
  await expect(page.locator('#error')).toContainText('names 2 activations for 7 hidden layers');
});

test('two runs pinned side by side', async ({page}) => {
  await open(page);
  await play(page);
  await expect.poll(async () => (await frame(page))?.step ?? 0).toBeGreaterThan(1000);
  await page.click('#play');
  await page.click('#pin');
  await expect(page.locator('#pinned-label')).toContainText('Pinned (dashed): lever train --dataset circle');
  await page.selectOption('#learning_rate', '0.001');
  await expect.poll(() => page.evaluate(() => window.leverPlayground.command)).toContain('--learning-rate 0.001');
  await play(page);
  await expect.poll(async () => (await frame(page))?.step ?? 0).toBeGreaterThan(1000);
  const lengths = await page.evaluate(() => [window.leverPlayground.pinned.length, window.leverPlayground.curve.length]);
  expect(lengths[0]).toBeGreaterThan(1);
  expect(lengths[1]).toBeGreaterThan(1);
  await page.screenshot({path: path.join(screenshots, 'playground_pinned.png')});
});

test('bad requests get a 4xx and the server keeps serving', async ({request, page}) => {
  const bad = [
    ['POST', '/api/sessions', '{not json'],
    ['POST', '/api/sessions', JSON.stringify({learning_rate: 'fast'})],
    ['POST', '/api/sessions', JSON.stringify({optimizer: 'adamx'})],
    ['POST', '/api/sessions', JSON.stringify({hidden: [100000]})],
    ['POST', '/api/sessions', JSON.stringify({knob_that_is_not: 1})],
    ['POST', '/api/sessions', JSON.stringify({features: ['x1; rm -rf /']})],
    ['POST', '/api/sessions', 'x'.repeat(200_000)],
    ['POST', '/api/sessions/0123456789abcdef/control', JSON.stringify({action: 'play'})],
    ['GET', '/../../etc/passwd', null],
  ];
  for (const [method, url, body] of bad) {
    const response = await request.fetch(url, {method, data: body ?? undefined, headers: {'Content-Type': 'application/json'}});
    expect(response.status(), `${method} ${url} ${String(body).slice(0, 40)}`).toBeGreaterThanOrEqual(400);
    expect(response.status()).toBeLessThan(500);
  }
  const created = await request.post('/api/sessions', {data: {dataset: 'gauss'}});
  expect(created.status()).toBe(201);
  const {id} = await created.json();
  const wrong = await request.post(`/api/sessions/${id}/control`, {data: {action: 'fly'}});
  expect(wrong.status()).toBe(400);
  expect((await wrong.json()).error).toContain('play, pause, step or reset');
  await request.delete(`/api/sessions/${id}`);
  await open(page);
});

test('ten pages training at once: the server stays responsive and its memory is measured', async ({browser}) => {
  test.setTimeout(240_000);
  const pages = [];
  for (let i = 0; i < 10; ++i) {
    const page = await browser.newPage();
    await page.goto('/');
    await expect(page.locator('#datasets button')).toHaveCount(9);
    await page.click('#datasets button[data-dataset=spiral]');
    await play(page, 30_000);  // on a busy 2-core machine the pages before it share the cores
    pages.push(page);
  }
  await expect.poll(async () => (await frame(pages[9]))?.step ?? 0, {timeout: 30_000}).toBeGreaterThan(1000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const steps = [];
  for (const page of pages) steps.push((await frame(page)).steps_per_second);
  if (process.env.PLAYGROUND_PID) {
    const status = require('fs').readFileSync(`/proc/${process.env.PLAYGROUND_PID}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)[1];
    const peak = /VmHWM:\s+(\d+) kB/.exec(status)[1];
    console.log(`10 pages training: server memory ${(rss / 1024).toFixed(1)} MiB (peak ${(peak / 1024).toFixed(1)} MiB); ` +
                `steps/s per page ${steps.map((s) => Math.round(s)).join(', ')}`);
  }
  for (const page of pages) await page.close();
});
