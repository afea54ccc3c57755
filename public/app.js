// Reference web client: sign up / in, create or join meetings, the call itself, history.
// Plain JavaScript modules, no framework. Events and arguments: src/signaling/events.ts.
import { io } from '/socket.io/socket.io.esm.min.js';

const API = '/api/v1';
const app = document.getElementById('app');
const nav = document.getElementById('nav');
const statusLine = document.getElementById('status');

// ---------- session ----------

const session = {
  get token() {
    return localStorage.getItem('meet.token');
  },
  get user() {
    const raw = localStorage.getItem('meet.user');
    return raw ? JSON.parse(raw) : null;
  },
  save(token, user) {
    localStorage.setItem('meet.token', token);
    localStorage.setItem('meet.user', JSON.stringify(user));
  },
  clear() {
    localStorage.removeItem('meet.token');
    localStorage.removeItem('meet.user');
  },
};

async function api(path, { method = 'GET', body, auth = true } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && session.token) headers.Authorization = `Bearer ${session.token}`;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && auth && session.token) session.clear();
  if (!response.ok) {
    const detail = data?.details?.map((d) => d.message).join('; ');
    throw new Error(detail || data?.error || `HTTP ${response.status}`);
  }
  return data;
}

function say(message) {
  statusLine.textContent = message;
}

// ---------- tiny DOM helpers ----------

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== undefined) element.setAttribute(key, value);
  }
  for (const child of children.flat())
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function field(label, attributes) {
  return h('label', {}, label, h('input', attributes));
}

function render(...children) {
  app.replaceChildren(...children);
  app.focus();
}

// ---------- routing ----------

let leaveCurrentCall = null;

function navigate(path) {
  history.pushState(null, '', path);
  void route();
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-link]');
  if (link) {
    event.preventDefault();
    navigate(link.getAttribute('href'));
  }
});
window.addEventListener('popstate', () => void route());

function renderNav() {
  const user = session.user;
  nav.replaceChildren(
    ...(user
      ? [
          h('span', {}, `Signed in as ${user.name}`),
          h('a', { href: '/history', 'data-link': true }, 'History'),
          h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'),
        ]
      : [h('a', { href: '/login', 'data-link': true }, 'Sign in')]),
  );
}

async function signOut() {
  await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
  session.clear();
  navigate('/');
}

async function route() {
  leaveCurrentCall?.();
  leaveCurrentCall = null;
  say('');
  renderNav();
  const path = location.pathname;
  const meeting = /^\/meet\/([^/]+)\/?$/.exec(path);
  if (meeting) return meetingView(decodeURIComponent(meeting[1]));
  if (path === '/login') return loginView();
  if (path === '/history') return historyView();
  return homeView();
}

// ---------- views ----------

async function signIn(username, password) {
  const result = await api('/auth/login', {
    method: 'POST',
    auth: false,
    body: { username, password },
  });
  session.save(result.token, result.user);
  navigate('/');
}

function loginView() {
  const error = h('p', { class: 'error', role: 'alert' });
  const signInForm = h(
    'form',
    {
      'aria-labelledby': 'signin-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        try {
          await signIn(form.get('username'), form.get('password'));
        } catch (failure) {
          error.textContent = failure.message;
        }
      },
    },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    field('Username', { name: 'username', autocomplete: 'username', required: true }),
    field('Password', {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  const signUpForm = h(
    'form',
    {
      'aria-labelledby': 'signup-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        const body = {
          name: form.get('name'),
          username: form.get('username'),
          password: form.get('password'),
        };
        try {
          await api('/auth/register', { method: 'POST', auth: false, body });
          await signIn(body.username, body.password);
        } catch (failure) {
          error.textContent = failure.message;
        }
      },
    },
    h('h2', { id: 'signup-title' }, 'Create an account'),
    field('Name', { name: 'name', autocomplete: 'name', required: true }),
    field('Username', {
      name: 'username',
      autocomplete: 'username',
      required: true,
      pattern: '[A-Za-z0-9._\\-]{3,32}',
    }),
    field('Password', {
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      minlength: '8',
    }),
    h('button', { type: 'submit' }, 'Sign up'),
  );
  render(h('h1', {}, 'Welcome'), error, signInForm, signUpForm);
}

function homeView() {
  const error = h('p', { class: 'error', role: 'alert' });
  const signedIn = session.user !== null;
  const join = h(
    'form',
    {
      'aria-labelledby': 'join-title',
      onsubmit: (event) => {
        event.preventDefault();
        const code = new FormData(event.target).get('code').toString().trim();
        if (code) navigate(`/meet/${encodeURIComponent(code)}`);
      },
    },
    h('h2', { id: 'join-title' }, 'Join by code'),
    field('Meeting code', { name: 'code', required: true, placeholder: 'abc-defg-hij' }),
    h('button', { type: 'submit' }, 'Join'),
  );
  const create = signedIn
    ? h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            try {
              const meeting = await api('/meetings', { method: 'POST', body: {} });
              navigate(`/meet/${meeting.code}`);
            } catch (failure) {
              error.textContent = failure.message;
            }
          },
        },
        'New meeting',
      )
    : h(
        'p',
        {},
        h('a', { href: '/login', 'data-link': true }, 'Sign in'),
        ' to create meetings and keep a history.',
      );
  render(h('h1', {}, 'Meetings'), error, create, join);
}

async function historyView() {
  if (!session.token) return navigate('/login');
  render(h('h1', {}, 'History'), h('p', {}, 'Loading…'));
  try {
    const page = await api('/meetings/history?limit=50');
    const items = page.items.map((entry) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: `/meet/${encodeURIComponent(entry.meetingCode)}`, 'data-link': true },
          entry.meetingCode,
        ),
        ' ',
        h('time', { datetime: entry.date }, new Date(entry.date).toLocaleString()),
      ),
    );
    render(
      h('h1', {}, 'History'),
      items.length
        ? h('ol', { class: 'history', 'aria-label': 'Meeting history' }, items)
        : h('p', {}, 'No meetings yet.'),
    );
  } catch (failure) {
    render(h('h1', {}, 'History'), h('p', { class: 'error' }, failure.message));
  }
}

function meetingView(code) {
  if (session.user) return startCall(code, session.user.name);
  const lobby = h(
    'form',
    {
      'aria-labelledby': 'lobby-title',
      onsubmit: (event) => {
        event.preventDefault();
        const name = new FormData(event.target).get('name').toString().trim() || 'Guest';
        void startCall(code, name);
      },
    },
    h('h2', { id: 'lobby-title' }, `Join ${code} as a guest`),
    field('Your name', { name: 'name', maxlength: '64', required: true, autocomplete: 'name' }),
    h('button', { type: 'submit' }, 'Join meeting'),
  );
  render(
    h('h1', {}, code),
    lobby,
    h('p', {}, 'or ', h('a', { href: '/login', 'data-link': true }, 'sign in')),
  );
}

// ---------- the call ----------

async function startCall(code, name) {
  const grid = h('section', { class: 'grid', 'aria-label': 'Participants' });
  const messages = h('ol', { 'aria-label': 'Chat messages', 'aria-live': 'polite' });
  const media = { audio: true, video: true, screen: false };
  let handRaised = false;
  let localStream;
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (failure) {
    say(`Camera/microphone unavailable (${failure.message}); joining without them.`);
    localStream = new MediaStream();
  }
  let cameraTrack = localStream.getVideoTracks()[0];

  const localVideo = h('video', {
    autoplay: true,
    playsinline: true,
    muted: true,
    'aria-label': 'Your video',
  });
  localVideo.muted = true;
  localVideo.srcObject = localStream;
  grid.append(
    h(
      'figure',
      { class: 'tile', 'data-local': true },
      localVideo,
      h('figcaption', { class: 'label' }, `${name} (you)`),
    ),
  );

  const toggle = (label, onclick) =>
    h('button', { type: 'button', 'aria-pressed': 'false', onclick }, label);
  const muteButton = toggle('Mute', () => setAudio(!media.audio));
  const cameraButton = toggle('Stop camera', () => setVideo(!media.video));
  const screenButton = toggle('Share screen', () => void toggleScreen());
  const handButton = toggle('Raise hand', () => {
    handRaised = !handRaised;
    handButton.setAttribute('aria-pressed', String(handRaised));
    socket.emit('raise-hand', handRaised);
  });
  const leaveButton = h(
    'button',
    { type: 'button', class: 'secondary', onclick: () => navigate(session.user ? '/' : '/') },
    'Leave',
  );
  const chatForm = h(
    'form',
    {
      'aria-label': 'Send a chat message',
      onsubmit: (event) => {
        event.preventDefault();
        const input = event.target.elements.text;
        const text = input.value.trim();
        if (text) socket.emit('chat-message', text, name);
        input.value = '';
      },
    },
    h('input', { name: 'text', 'aria-label': 'Message', maxlength: '2000', autocomplete: 'off' }),
    h('button', { type: 'submit' }, 'Send'),
  );
  render(
    h('h1', {}, code),
    h(
      'div',
      { class: 'call' },
      h(
        'div',
        {},
        grid,
        h(
          'div',
          { class: 'controls', role: 'toolbar', 'aria-label': 'Call controls' },
          muteButton,
          cameraButton,
          screenButton,
          handButton,
          leaveButton,
        ),
      ),
      h('aside', { class: 'chat', 'aria-label': 'Chat' }, h('h2', {}, 'Chat'), messages, chatForm),
    ),
  );

  let iceServers = [];
  try {
    iceServers = (await api('/ice-servers', { auth: Boolean(session.token) })).iceServers;
  } catch {
    // no ICE servers: host candidates still connect on a local network
  }
  if (session.token)
    void api('/meetings/history', { method: 'POST', body: { meetingCode: code } }).catch(
      () => undefined,
    );

  const socket = io({
    auth: session.token ? { token: session.token } : {},
    transports: ['websocket', 'polling'],
  });
  /** socket id → { pc, tile, video, name, polite, makingOffer, ignoreOffer } */
  const peers = new Map();
  window.__meet = { peers, socket, media };

  function sendMediaState() {
    socket.emit('media-state', { ...media });
  }

  function setAudio(on) {
    media.audio = on;
    for (const track of localStream.getAudioTracks()) track.enabled = on;
    muteButton.textContent = on ? 'Mute' : 'Unmute';
    muteButton.setAttribute('aria-pressed', String(!on));
    sendMediaState();
  }

  function setVideo(on) {
    media.video = on;
    if (cameraTrack) cameraTrack.enabled = on;
    cameraButton.textContent = on ? 'Stop camera' : 'Start camera';
    cameraButton.setAttribute('aria-pressed', String(!on));
    sendMediaState();
  }

  async function toggleScreen() {
    const replaceVideo = (track) => {
      for (const { pc } of peers.values()) {
        for (const sender of pc.getSenders())
          if (sender.track?.kind === 'video') void sender.replaceTrack(track);
      }
      localVideo.srcObject = new MediaStream([track, ...localStream.getAudioTracks()]);
    };
    if (media.screen) {
      if (cameraTrack) replaceVideo(cameraTrack);
      media.screen = false;
    } else {
      try {
        const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
        const [screenTrack] = display.getVideoTracks();
        screenTrack.addEventListener('ended', () => {
          if (media.screen) void toggleScreen();
        });
        replaceVideo(screenTrack);
        media.screen = true;
      } catch (failure) {
        say(`Screen sharing unavailable: ${failure.message}`);
        return;
      }
    }
    screenButton.setAttribute('aria-pressed', String(media.screen));
    sendMediaState();
  }

  function badgesFor(peer) {
    const badges = [];
    if (peer.media && !peer.media.audio)
      badges.push(h('span', { class: 'badge', 'data-badge': 'muted' }, 'muted'));
    if (peer.media && !peer.media.video)
      badges.push(h('span', { class: 'badge', 'data-badge': 'camera-off' }, 'camera off'));
    if (peer.media?.screen)
      badges.push(h('span', { class: 'badge', 'data-badge': 'screen' }, 'screen'));
    if (peer.handRaised) badges.push(h('span', { class: 'badge', 'data-badge': 'hand' }, '✋'));
    peer.badges.replaceChildren(...badges);
  }

  function removePeer(id) {
    const peer = peers.get(id);
    if (!peer) return;
    peer.pc.close();
    peer.tile.remove();
    peers.delete(id);
  }

  /**
   * `initiator`: whether this side makes the first offer. The newcomer offers to everyone
   * already there; they wait for its offer, so a join never starts with colliding offers.
   * Later renegotiations use perfect negotiation (polite/impolite) to survive collisions.
   */
  function ensurePeer(id, peerName, initiator) {
    let peer = peers.get(id);
    if (peer) {
      peer.label.textContent = peerName;
      return peer;
    }
    const pc = new RTCPeerConnection({ iceServers });
    const video = h('video', {
      autoplay: true,
      playsinline: true,
      'aria-label': `Video of ${peerName}`,
    });
    const label = h('figcaption', { class: 'label' }, peerName);
    const badges = h('div', { class: 'badges' });
    const tile = h('figure', { class: 'tile', 'data-peer': id }, video, label, badges);
    grid.append(tile);
    // Perfect negotiation: the peer with the smaller id is polite and yields on glare.
    peer = {
      pc,
      tile,
      video,
      label,
      badges,
      polite: socket.id < id,
      makingOffer: false,
      ignoreOffer: false,
      waitingForOffer: !initiator,
      media: null,
      handRaised: false,
    };
    peers.set(id, peer);
    for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
    pc.ontrack = ({ streams }) => {
      if (video.srcObject !== streams[0]) video.srcObject = streams[0];
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) socket.emit('signal', id, { candidate: candidate.toJSON() });
    };
    pc.onnegotiationneeded = async () => {
      if (peer.waitingForOffer) return;
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        socket.emit('signal', id, { description: pc.localDescription.toJSON() });
      } catch (failure) {
        console.warn('negotiation failed', failure);
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') pc.restartIce();
    };
    return peer;
  }

  async function onSignal(from, message) {
    const peer = peers.get(from) ?? ensurePeer(from, 'Participant', false);
    const { pc } = peer;
    try {
      if (message.description) {
        const description = message.description;
        peer.waitingForOffer = false;
        const collision =
          description.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
        peer.ignoreOffer = !peer.polite && collision;
        if (peer.ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          await pc.setLocalDescription();
          socket.emit('signal', from, { description: pc.localDescription.toJSON() });
        }
      } else if (message.candidate) {
        try {
          await pc.addIceCandidate(message.candidate);
        } catch (failure) {
          if (!peer.ignoreOffer) throw failure;
        }
      }
    } catch (failure) {
      console.warn('signal handling failed', failure);
    }
  }

  // Signals of one peer are applied one after the other, in arrival order.
  const signalQueues = new Map();
  socket.on('signal', (from, message) => {
    if (typeof message !== 'object' || message === null) return;
    const previous = signalQueues.get(from) ?? Promise.resolve();
    signalQueues.set(
      from,
      previous.then(() => onSignal(from, message)),
    );
  });

  socket.on('user-joined', (joinerId, clients, usernames) => {
    for (const id of clients)
      if (id !== socket.id) ensurePeer(id, usernames[id] ?? 'Participant', joinerId === socket.id);
  });
  socket.on('user-left', (id) => removePeer(id));
  socket.on('media-state', (id, state) => {
    const peer = peers.get(id);
    if (!peer) return;
    peer.media = state;
    badgesFor(peer);
  });
  socket.on('raise-hand', (id, raised) => {
    const peer = peers.get(id);
    if (!peer) return;
    peer.handRaised = raised;
    badgesFor(peer);
  });
  socket.on('chat-message', (text, sender, senderId) => {
    messages.append(
      h(
        'li',
        {},
        h('strong', {}, sender === name && senderId === socket.id ? 'You' : sender),
        ': ',
        text,
      ),
    );
    messages.lastElementChild.scrollIntoView({ block: 'end' });
  });
  socket.on('signaling-error', (event, error) => say(`${event}: ${error.message}`));
  socket.on('session-ended', (reason) => {
    say(`Session ended (${reason}). Sign in again.`);
    session.clear();
  });

  // (Re)join on every connection: after a network blip the socket has a new id, so the old
  // peer connections are dropped and negotiated again with everyone.
  socket.on('connect', () => {
    for (const id of [...peers.keys()]) removePeer(id);
    socket.emit('join-call', code, name, (answer) => {
      if (!answer.ok) {
        say(`Could not join: ${answer.error.message}`);
        return;
      }
      if (answer.iceServers?.length) iceServers = answer.iceServers;
      for (const participant of answer.participants) {
        if (participant.socketId === socket.id) continue;
        const peer = ensurePeer(participant.socketId, participant.name, true);
        peer.media = participant.media;
        peer.handRaised = participant.handRaised;
        badgesFor(peer);
      }
      say(`In ${code} with ${answer.participants.length - 1} other(s).`);
      if (!media.audio || !media.video) sendMediaState();
    });
  });
  socket.on('connect_error', (error) => say(`Connection problem: ${error.message}`));
  socket.on('disconnect', () => say('Disconnected, reconnecting…'));

  leaveCurrentCall = () => {
    socket.emit('leave-call');
    socket.close();
    for (const id of [...peers.keys()]) removePeer(id);
    for (const track of localStream.getTracks()) track.stop();
    delete window.__meet;
  };
}

void route();
