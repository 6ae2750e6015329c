// The mdiff page: reads the fields, asks an engine for the answer as the user
// types, and shows it. The engine is the mdiff serve HTTP handler
// (data-engine="server") or the WebAssembly build running in a Web Worker
// (data-engine="wasm", the static site). The URL fragment holds the input:
// #expr=…&let=…&wrt=…&steps=1&hessian=1&jacobian=1 (encodeURIComponent).
// <html data-state> is busy while computing, ready once an answer is shown,
// error once an error is.
'use strict';

(function () {
  const root = document.documentElement;
  const $ = (id) => document.getElementById(id);
  const fields = { expr: $('expr'), let: $('let'), wrt: $('wrt') };
  const switches = { steps: $('steps'), hessian: $('hessian'), jacobian: $('jacobian') };
  // A computation that takes longer than the budget is stopped with a
  // message (<html data-budget> in ms, default 10 s).
  const budget = () => Number(root.dataset.budget) || 10000;
  const DEBOUNCE_MS = 30;

  const EXAMPLES = [
    { title: 'least squares', expr: '||Y - B*X||_F^2', let: 'Y: q x n; B: q x p; X: p x n', wrt: 'B' },
    { title: 'a neural-network layer', expr: '||tanh(W*x + b) - y||^2', let: 'W: m x n; x: n; b: m; y: m', wrt: 'W, b' },
    { title: 'log-determinant', expr: 'logdet(X)', let: 'X: n x n', wrt: 'X' },
    { title: 'an inverse', expr: 'inv(X)', let: 'X: n x n', wrt: 'X' },
    { title: 'a Hessian (logistic regression)', expr: "sum(log(1 + exp(-y .* (X*w))))", let: 'X: m x n; w: n; y: m', wrt: 'w', hessian: true },
    { title: 'a quadratic form', expr: "x'*A*x", let: 'x: n; A: n x n', wrt: 'x', hessian: true },
  ];

  // --- engines -------------------------------------------------------------

  function serverEngine() {
    let ctrl = null;
    return {
      where: 'in mdiff serve on this machine',
      ask(req) {
        if (ctrl) ctrl.abort();
        ctrl = new AbortController();
        return fetch('api/answer', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(req),
          signal: ctrl.signal,
        }).then((r) => r.json());
      },
    };
  }

  // wasmEngine runs the engine in a Web Worker, so a long computation never
  // freezes the page; one question at a time, the latest one waiting. A
  // question that takes longer than budget() ends the worker (a new one
  // starts) and is answered with an error.
  function wasmEngine() {
    let worker = null, ready = false, running = null, waiting = null, timer = 0, seq = 0;
    function start() {
      ready = false;
      worker = new Worker('worker.js');
      worker.onmessage = (e) => {
        if (e.data.ready) { // the module is loaded: the budget counts from now
          ready = true;
          if (running) arm();
          return;
        }
        if (!running || e.data.id !== running.id) return;
        clearTimeout(timer);
        const r = running;
        running = null;
        r.resolve(e.data.resp);
        next();
      };
      worker.onerror = (e) => {
        const r = running;
        running = null;
        clearTimeout(timer);
        if (r) r.resolve({ error: { message: 'the WebAssembly engine failed: ' + (e.message || 'unknown error'), field: '' } });
        next();
      };
    }
    // arm starts the budget of the running question.
    function arm() {
      const ms = budget();
      clearTimeout(timer);
      timer = setTimeout(() => {
        const r = running;
        running = null;
        worker.terminate();
        start();
        r.resolve({ error: { message: 'stopped after ' + ms / 1000 + ' s: this derivative takes too long to compute in the page', field: 'expr' } });
        next();
      }, ms);
    }
    function next() {
      if (running || !waiting) return;
      running = waiting;
      waiting = null;
      worker.postMessage({ id: running.id, req: running.req });
      if (ready) arm();
    }
    start();
    return {
      where: 'in this page (WebAssembly)',
      ask(req) {
        return new Promise((resolve) => {
          if (waiting) waiting.resolve(null); // superseded
          waiting = { id: ++seq, req, resolve };
          next();
        });
      },
    };
  }

  const engine = root.dataset.engine === 'server' ? serverEngine() : wasmEngine();
  $('where').textContent = engine.where;

  // --- the question and the URL fragment ----------------------------------

  function question() {
    return {
      expr: fields.expr.value,
      let: fields.let.value,
      wrt: fields.wrt.value,
      steps: switches.steps.checked,
      hessian: switches.hessian.checked,
      jacobian: switches.jacobian.checked,
    };
  }

  function fragment(q) {
    const parts = ['expr=' + encodeURIComponent(q.expr), 'let=' + encodeURIComponent(q.let), 'wrt=' + encodeURIComponent(q.wrt)];
    for (const k of ['steps', 'hessian', 'jacobian']) if (q[k]) parts.push(k + '=1');
    return '#' + parts.join('&');
  }

  function parseFragment(h) {
    const q = {};
    for (const part of h.replace(/^#/, '').split('&')) {
      if (!part) continue;
      const i = part.indexOf('=');
      const k = i < 0 ? part : part.slice(0, i);
      let v = i < 0 ? '' : part.slice(i + 1);
      try { v = decodeURIComponent(v); } catch (e) { /* keep it raw */ }
      q[k] = v;
    }
    return q;
  }

  function fill(q) {
    fields.expr.value = q.expr || '';
    fields.let.value = q.let || '';
    fields.wrt.value = q.wrt || '';
    for (const k of Object.keys(switches)) switches[k].checked = q[k] === '1' || q[k] === true;
    autosize();
  }

  // --- rendering -----------------------------------------------------------

  function tex(el, s) {
    try {
      window.katex.render(s, el, { throwOnError: true, displayMode: false, output: 'htmlAndMathml' });
    } catch (e) {
      el.textContent = s;
    }
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    status('Copied ' + what + '.');
  }

  function status(s) { $('status').textContent = s; }

  function copyButton(text, what) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'copy';
    b.textContent = 'Copy';
    b.setAttribute('aria-label', 'Copy ' + what + ' (ASCII)');
    b.addEventListener('click', () => copy(text, what));
    return b;
  }

  const NAMES = { f: 'f', df: 'the differential', grad: 'the gradient', hess: 'the Hessian map', hessmat: 'the Hessian matrix', jac: 'the Jacobian', temp: 'the temporary', step: 'the step' };

  function lineElement(l) {
    const div = document.createElement('div');
    div.className = 'line ' + l.kind;
    div.dataset.kind = l.kind;
    const math = document.createElement('span');
    math.className = 'math';
    div.appendChild(math);
    if (l.kind === 'nojac') {
      tex(math, l.label + ' = ');
      const t = document.createElement('span');
      t.className = 'note';
      t.textContent = l.text;
      div.appendChild(t);
      return div;
    }
    div.dataset.ascii = l.ascii;
    tex(math, (l.label ? l.label + ' = ' : '') + l.latex);
    // Screen readers read the Unicode form (the rendered math is an image to them).
    math.setAttribute('role', 'img');
    const said = { f: 'f', df: 'd f', grad: 'gradient', hess: 'Hessian map', hessmat: 'Hessian matrix', jac: 'Jacobian', step: '' }[l.kind];
    math.setAttribute('aria-label', l.kind === 'temp' ? l.ascii.split(' = ')[0] + ' = ' + l.text : (said ? said + ' = ' : '') + l.text);
    if (l.note && l.kind !== 'step') {
      const n = document.createElement('span');
      n.className = 'note';
      tex(n, l.note);
      div.appendChild(n);
    }
    if (l.kind === 'step') {
      const n = document.createElement('span');
      n.className = 'rule';
      n.textContent = l.note;
      div.appendChild(n);
    }
    div.appendChild(copyButton(l.ascii, NAMES[l.kind] || l.kind));
    return div;
  }

  let outputs = [], current = 'text';

  function showTabs(outs) {
    outputs = outs || [];
    const tabs = $('tabs');
    const names = outputs.map((o) => o.format);
    if (!names.includes(current)) current = names[0];
    if (tabs.dataset.names !== names.join(',')) {
      tabs.textContent = '';
      for (const name of names) {
        const b = document.createElement('button');
        b.type = 'button';
        b.setAttribute('role', 'tab');
        b.id = 'tab-' + name;
        b.dataset.format = name;
        b.setAttribute('aria-controls', 'panel');
        b.textContent = name === 'text' ? 'Text' : name === 'latex' ? 'LaTeX' : name === 'ascii' ? 'ASCII' : name === 'numpy' ? 'NumPy' : name === 'json' ? 'JSON' : name;
        b.addEventListener('click', () => selectTab(name, false));
        tabs.appendChild(b);
      }
      tabs.dataset.names = names.join(',');
    }
    selectTab(current, false);
    $('outputs').hidden = outputs.length === 0;
  }

  function selectTab(name, focus) {
    current = name;
    for (const b of $('tabs').children) {
      const on = b.dataset.format === name;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    const o = outputs.find((x) => x.format === name);
    $('panel').setAttribute('aria-labelledby', 'tab-' + name);
    $('panel').dataset.format = name;
    $('output').textContent = o ? (o.body || 'this format cannot express the answer: ' + o.error) : '';
  }

  $('tabs').addEventListener('keydown', (e) => {
    const names = outputs.map((o) => o.format);
    let i = names.indexOf(current);
    if (e.key === 'ArrowRight') i = (i + 1) % names.length;
    else if (e.key === 'ArrowLeft') i = (i - 1 + names.length) % names.length;
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = names.length - 1;
    else return;
    e.preventDefault();
    selectTab(names[i], true);
  });

  $('copy-output').addEventListener('click', () => {
    const o = outputs.find((x) => x.format === current);
    if (o && o.body) copy(o.body, 'the ' + current + ' output');
  });

  // showNotes lists the notes of inference under the expression, as the
  // CLI's "note:" lines.
  function showNotes(notes) {
    const ul = $('notes');
    ul.textContent = '';
    for (const n of notes || []) {
      const li = document.createElement('li');
      li.textContent = 'note: ' + n;
      ul.appendChild(li);
    }
    ul.hidden = ul.children.length === 0;
  }

  function clearErrors() {
    for (const k of Object.keys(fields)) {
      $(k + '-error').hidden = true;
      $(k + '-error').textContent = '';
      fields[k].removeAttribute('aria-invalid');
    }
  }

  function show(resp) {
    clearErrors();
    showNotes(resp.notes);
    const lines = $('lines'), steps = $('steps-list');
    if (resp.error) {
      const k = fields[resp.error.field] ? resp.error.field : 'expr';
      const el = $(k + '-error');
      el.textContent = resp.error.message;
      el.hidden = false;
      fields[k].setAttribute('aria-invalid', 'true');
      lines.textContent = '';
      steps.textContent = '';
      steps.hidden = true;
      $('check').textContent = '';
      $('outputs').hidden = true;
      status('');
      root.dataset.state = 'error';
      return;
    }
    lines.textContent = '';
    steps.textContent = '';
    for (const l of resp.lines) {
      if (l.kind === 'step') {
        const li = document.createElement('li');
        li.appendChild(lineElement(l));
        steps.appendChild(li);
      } else {
        lines.appendChild(lineElement(l));
      }
    }
    steps.hidden = steps.children.length === 0;
    $('check').textContent = resp.check || '';
    showTabs(resp.outputs);
    status('');
    root.dataset.state = 'ready';
    root.dataset.ms = String(resp.ms); // time the engine spent
    if (lastInput) root.dataset.latency = (performance.now() - lastInput).toFixed(1); // last keystroke to answer on screen
  }

  // --- asking --------------------------------------------------------------

  let asked = 0, shownFragment = '';

  function ask() {
    const q = question();
    const frag = fragment(q);
    if (location.hash !== frag) history.replaceState(null, '', frag);
    shownFragment = frag;
    if (!q.expr.trim()) {
      clearErrors();
      $('lines').textContent = '';
      $('steps-list').hidden = true;
      $('check').textContent = '';
      $('outputs').hidden = true;
      root.dataset.state = 'ready';
      return;
    }
    const n = ++asked;
    root.dataset.state = 'busy';
    const slow = setTimeout(() => { if (n === asked) status('Computing…'); }, 300);
    engine.ask(q).then((resp) => {
      clearTimeout(slow);
      if (resp && n === asked) show(resp);
    }, (err) => {
      clearTimeout(slow);
      if (err && err.name === 'AbortError') return;
      if (n === asked) show({ error: { message: 'no answer from the engine: ' + err, field: '' } });
    });
  }

  let debounce = 0, lastInput = 0;
  function soon() {
    clearTimeout(debounce);
    lastInput = performance.now();
    ++asked; // an answer still on its way is for an older question
    root.dataset.state = 'busy';
    debounce = setTimeout(ask, DEBOUNCE_MS);
  }

  function autosize() {
    const t = fields.let;
    t.style.height = 'auto';
    t.style.height = t.scrollHeight + 2 + 'px';
  }

  for (const k of Object.keys(fields)) fields[k].addEventListener('input', soon);
  fields.let.addEventListener('input', autosize);
  for (const k of Object.keys(switches)) switches[k].addEventListener('change', soon);
  $('question').addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(debounce); ask(); });
  // Enter in the declarations field asks too; Shift+Enter starts a new line.
  fields.let.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); clearTimeout(debounce); ask(); }
  });

  window.addEventListener('hashchange', () => {
    if (location.hash === shownFragment) return;
    fill(parseFragment(location.hash));
    ask();
  });

  const list = $('examples');
  for (const ex of EXAMPLES) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'example';
    b.innerHTML = '<span class="title"></span> <code></code>';
    b.querySelector('.title').textContent = ex.title;
    b.querySelector('code').textContent = ex.expr;
    b.addEventListener('click', () => {
      fill({ expr: ex.expr, let: ex.let, wrt: ex.wrt, hessian: ex.hessian ? '1' : '', steps: '', jacobian: '' });
      ask();
      fields.expr.focus();
    });
    li.appendChild(b);
    list.appendChild(li);
  }

  if (location.hash.length > 1) {
    fill(parseFragment(location.hash));
    ask();
  } else {
    fill(Object.assign({}, EXAMPLES[0]));
    ask();
  }
})();
