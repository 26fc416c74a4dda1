// A thread of agent panels for `npm run bench -- assist`: its own event loop, so receiving
// events never delays the webhook sender. Plain JS: worker threads do not get tsx's loader.
import { parentPort, workerData } from 'node:worker_threads';
import { io } from 'socket.io-client';

const { url, cookies, watch } = workerData;
const now = () => performance.timeOrigin + performance.now();
const transcriptAt = new Map();
const suggestedAt = new Map();
const sockets = [];

for (let i = 0; i < cookies.length; i++) {
  const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie: cookies[i] }, reconnection: false });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  socket.on('call', (e) => {
    const at = now();
    if (e.type === 'call.transcript') {
      const k = `${e.callSid}|${e.text}`;
      if (!transcriptAt.has(k)) transcriptAt.set(k, at);
    } else if (e.type === 'call.suggestions') {
      const k = `${e.callSid}|${e.query}`;
      if (!suggestedAt.has(k)) suggestedAt.set(k, at);
    }
  });
  const ack = await socket.emitWithAck('watch', watch[i]);
  if (ack.error) throw new Error(`watch refused: ${ack.error}`);
  sockets.push(socket);
}
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (m) => {
  if (m === 'report') {
    parentPort.postMessage({ type: 'report', transcriptAt: [...transcriptAt], suggestedAt: [...suggestedAt] });
    for (const s of sockets) s.close();
  }
});
