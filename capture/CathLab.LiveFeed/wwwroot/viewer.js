// CathLab live viewer: one WebSocket per watch; the first message carries the token (never the URL's query).
// Binary messages are frames: [u32 LE header length][JSON header][JPEG]; text messages are events, notices, errors.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const canvas = $('view');
  const ctx = canvas.getContext('2d');
  const stats = { frames: 0, bytes: 0, lastFrame: -1, latencyMs: 0, tier: '', level: -1, lost: 0, events: 0, fps: 0, status: 'idle' };
  window.cathlabLive = stats; // read by tests through the DevTools protocol
  let socket = null;
  let windowStart = performance.now();
  let windowFrames = 0;

  // Settings may come in the URL fragment (#token=...&exam=...), which browsers never send to the server.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('token')) $('token').value = fragment.get('token');
  if (fragment.get('exam')) $('exam').value = fragment.get('exam');
  if (fragment.get('tier')) $('tier').value = fragment.get('tier');

  function setStatus(text, error) {
    stats.status = text;
    $('status').textContent = text;
    $('status').className = error ? 'error' : '';
  }

  function render() {
    $('stats').textContent =
      `frames   ${stats.frames}\nrate     ${stats.fps.toFixed(1)} fps\nlatency  ${stats.latencyMs.toFixed(0)} ms\n` +
      `tier     ${stats.tier} (level ${stats.level})\nlost     ${stats.lost}\nreceived ${(stats.bytes / 1024).toFixed(0)} KiB`;
  }

  function addEvent(e) {
    stats.events++;
    const li = document.createElement('li');
    const when = new Date(Number(e.atUnixUs) / 1000).toLocaleTimeString();
    const kind = Object.keys(e).find((k) => !['examId', 'atUnixUs'].includes(k)) || 'event';
    li.textContent = `${when} ${kind} ${JSON.stringify(e[kind])}`;
    $('events').prepend(li);
  }

  async function onFrame(buffer) {
    const view = new DataView(buffer);
    const headerLength = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
    const jpeg = new Blob([new Uint8Array(buffer, 4 + headerLength)], { type: 'image/jpeg' });
    const bitmap = await createImageBitmap(jpeg);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    socket.send(JSON.stringify({ ack: header.frameNumber }));
    stats.frames++;
    stats.bytes += buffer.byteLength;
    stats.lastFrame = header.frameNumber;
    stats.latencyMs = Date.now() - header.readyUnixUs / 1000;
    if (!header.probe) {
      stats.tier = header.tier;
      stats.level = header.level;
    }
    windowFrames++;
    const now = performance.now();
    if (now - windowStart >= 1000) {
      stats.fps = (windowFrames * 1000) / (now - windowStart);
      windowStart = now;
      windowFrames = 0;
    }
    render();
  }

  function onText(text) {
    const m = JSON.parse(text);
    if (m.type === 'event') addEvent(m.event);
    else if (m.type === 'notice') { stats.lost = Number(m.notice.framesLost || 0); render(); }
    else if (m.type === 'error') setStatus(`${m.status}: ${m.detail}`, true);
  }

  function watch() {
    if (socket) socket.close();
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      socket.send(JSON.stringify({ token: $('token').value, examId: $('exam').value, bestTier: $('tier').value, maxFps: Number($('maxfps').value) || 0 }));
      setStatus('watching');
    };
    socket.onmessage = (m) => (typeof m.data === 'string' ? onText(m.data) : onFrame(m.data).catch((e) => setStatus(`frame: ${e}`, true)));
    socket.onclose = (e) => { if (stats.status === 'watching') setStatus(`closed ${e.code} ${e.reason}`, e.code !== 1000); };
  }

  $('watch').onclick = watch;
  if (fragment.get('autostart') === '1') watch();
  render();
})();
