// The Web Worker of the static site: it runs mdiff compiled to WebAssembly
// (mdiff.wasm, loaded from mdiff.wasm.gz when that exists, so that a plain
// static server that does not compress still sends 2 MB rather than 7) and
// answers one question per message: {id, req} -> {id, resp}. It posts
// {ready: true} once the module runs.
'use strict';
importScripts('wasm_exec.js');

async function wasmBytes() {
  if (typeof DecompressionStream !== 'undefined') {
    try {
      const r = await fetch('mdiff.wasm.gz');
      if (r.ok) {
        const buf = new Uint8Array(await r.arrayBuffer());
        if (buf[0] === 0x1f && buf[1] === 0x8b) { // gzip, as written
          const s = new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'));
          return await new Response(s).arrayBuffer();
        }
        if (buf[0] === 0x00 && buf[1] === 0x61) return buf.buffer; // the server already decoded it
      }
    } catch (e) { /* fall back to the plain module */ }
  }
  const r = await fetch('mdiff.wasm');
  if (!r.ok) throw new Error('mdiff.wasm: HTTP ' + r.status);
  return r.arrayBuffer();
}

const ready = (async () => {
  const go = new Go();
  const { instance } = await WebAssembly.instantiate(await wasmBytes(), go.importObject);
  go.run(instance); // registers globalThis.mdiffAnswer and keeps running
  postMessage({ ready: true });
})();

onmessage = async (e) => {
  let resp;
  try {
    await ready;
    resp = JSON.parse(globalThis.mdiffAnswer(JSON.stringify(e.data.req)));
  } catch (err) {
    resp = { error: { message: 'the WebAssembly engine failed: ' + err, field: '' } };
  }
  postMessage({ id: e.data.id, resp });
};
