/**
 * A page that speaks exactly what ../shared/spec/client-protocol.md describes of the existing
 * SPA client: REST with the token in the JSON body or query string, a socket without
 * credentials, the page URL as room id, JSON-string signals `{sdp}` / `{ice}`, and offers made
 * only by the joiner to everyone already in the room.
 */
export const COMPAT_CLIENT_HTML = `<!doctype html>
<html><body>
<div id="videos"></div>
<script type="module">
import { io } from '/socket.io/socket.io.esm.min.js';

const post = (path, body) =>
  fetch('/api/v1/users/' + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    .then(async (response) => ({ status: response.status, data: await response.json() }));

window.runOriginalClient = async ({ username, password, roomUrl }) => {
  const signUp = await post('register', { name: username, username, password });
  const signIn = await post('login', { username, password });
  const token = signIn.data.token;
  const meetingCode = roomUrl.split('/').pop();
  const added = await post('add_to_activity', { token, meetingId: meetingCode });
  const history = await fetch('/api/v1/users/get_all_activity?token=' + encodeURIComponent(token)).then((r) => r.json());

  const local = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const connections = {};
  const videos = {};
  const socket = io(location.origin);
  window.originalClient = { connections, videos, socket };

  const createConnection = (id) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    pc.onicecandidate = (event) => {
      if (event.candidate) socket.emit('signal', id, JSON.stringify({ ice: event.candidate }));
    };
    pc.ontrack = (event) => {
      let video = videos[id];
      if (!video) {
        video = document.createElement('video');
        video.autoplay = true;
        video.playsInline = true;
        video.muted = true;
        document.getElementById('videos').append(video);
        videos[id] = video;
      }
      video.srcObject = event.streams[0];
    };
    for (const track of local.getTracks()) pc.addTrack(track, local);
    connections[id] = pc;
    return pc;
  };

  socket.on('signal', async (fromId, message) => {
    const signal = JSON.parse(message);
    const pc = connections[fromId] || createConnection(fromId);
    if (signal.sdp) {
      await pc.setRemoteDescription(new RTCSessionDescription(signal.sdp));
      if (signal.sdp.type === 'offer') {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        socket.emit('signal', fromId, JSON.stringify({ sdp: pc.localDescription }));
      }
    }
    if (signal.ice) await pc.addIceCandidate(new RTCIceCandidate(signal.ice)).catch(() => undefined);
  });

  socket.on('user-joined', async (joinerId, clients) => {
    if (!Array.isArray(clients)) return;
    for (const id of clients) {
      if (id !== socket.id && !connections[id]) createConnection(id);
    }
    if (joinerId === socket.id) {
      for (const id of clients) {
        if (id === socket.id) continue;
        const pc = connections[id];
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        socket.emit('signal', id, JSON.stringify({ sdp: pc.localDescription }));
      }
    }
  });
  socket.on('user-left', (id) => {
    connections[id]?.close();
    delete connections[id];
    videos[id]?.remove();
    delete videos[id];
  });

  await new Promise((resolve) => socket.on('connect', resolve));
  socket.emit('join-call', roomUrl, username);
  return { signUp: signUp.status, signIn: signIn.status, added: added.status, history: history.meetings.map((m) => m.meetingCode) };
};
</script>
</body></html>`;
