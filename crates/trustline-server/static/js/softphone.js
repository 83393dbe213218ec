// The agent's softphone: the microphone, and one WebRTC connection to the
// server opened when work starts and kept until it stops, so accepting a
// call only re-points audio on the server. The offer and answer travel
// through the signed-in API; the browser never holds a SIP credential.
// An agent with a registered desk phone may work on it instead: the server
// rings it when work starts, and the line stays up until work stops.

import { api, ApiError } from './api.js';

const $ = (id) => document.getElementById(id);
// How long a lost connection waits before it is opened again.
const RECONNECT_MS = 3000;

let microphone = null;
let connection = null;
let wanted = false;
let muted = false;
let meter = null;
// Whether the desk phone is (or is being made) the agent's phone, and
// whether it could not be, until work stops.
let onDeskPhone = false;
let deskPhoneFailed = false;
const DESK_PHONE_CHOICE = 'trustline.desk-phone';

// The agent's choice of phone, kept in this browser.
const deskPhoneChosen = () => $('use-desk-phone')?.checked ?? false;
if ($('use-desk-phone')) {
  $('use-desk-phone').checked = localStorage.getItem(DESK_PHONE_CHOICE) === 'yes';
  $('use-desk-phone').addEventListener('change', (event) => localStorage.setItem(DESK_PHONE_CHOICE, event.target.checked ? 'yes' : 'no'));
}

// Rings the agent's desk phone; once they answer, their calls are heard on it.
async function openDeskPhone() {
  onDeskPhone = true;
  deskPhoneFailed = false;
  $('ring-desk-phone').hidden = true;
  tell('connecting', 'Your desk phone is ringing: answer it.');
  try {
    await api('POST', '/api/agent/desk-phone', undefined, { background: true });
    tell('connected', 'Desk phone connected: you hear your calls on it (mute on the phone).');
  } catch (error) {
    onDeskPhone = false;
    deskPhoneFailed = true;
    if (error instanceof ApiError && error.code === 'no_desk_phone') {
      tell('refused', 'No desk phone of yours is registered: switch it on (ask an administrator for its login), or untick the desk phone; then stop and start work again.');
    } else if (error instanceof ApiError && error.code === 'desk_phone_unanswered') {
      tell('refused', 'Your desk phone did not answer: pick it up when you ring it again.');
      $('ring-desk-phone').hidden = !wanted;
    } else {
      tell('refused', `Your desk phone could not be connected: ${error.message}.`);
    }
  }
}

// The desk phone put its line down while work goes on: calls are not heard
// until it is rung again, so the agent is told at once.
export function deskPhoneDown() {
  if (!onDeskPhone || !wanted) return;
  onDeskPhone = false;
  deskPhoneFailed = true;
  tell('refused', 'Your desk phone hung up: you hear no calls until you ring it again (or take a break).');
  $('ring-desk-phone').hidden = false;
}

if ($('ring-desk-phone')) $('ring-desk-phone').addEventListener('click', () => openDeskPhone());

function tell(state, words) {
  const line = $('phone-state');
  line.dataset.state = state;
  line.textContent = words;
}

// Why the browser gave no microphone, in words the agent can act on.
function refusal(error) {
  if (error?.name === 'NotAllowedError') {
    return 'The browser refuses the microphone: allow it for this site (the icon left of the address), then press Start work again.';
  }
  if (error?.name === 'NotFoundError') return 'No microphone is connected: plug one in, then press Start work again.';
  if (error?.name === 'NotReadableError') return 'Another program holds the microphone: close it, then press Start work again.';
  return `The microphone cannot be used: ${error?.message ?? error}.`;
}

async function openMicrophone() {
  if (microphone?.getAudioTracks().some((track) => track.readyState === 'live')) return microphone;
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives pages no microphone (the page must be served over HTTPS)');
  microphone = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  for (const track of microphone.getAudioTracks()) track.enabled = !muted;
  return microphone;
}

// The microphone check: the meter follows what the microphone hears.
function showLevel(stream, context) {
  // Without a click on the page yet (a reload while at work) there is no audio context to measure with.
  if (meter || !context) return;
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  meter = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    const power = samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length;
    $('mic-level').value = Math.min(1, Math.sqrt(power) * 4);
  }, 100);
}

export async function checkMicrophone(context) {
  try {
    const stream = await openMicrophone();
    showLevel(stream, context);
    tell('checked', 'The microphone works: the bar moves when you speak.');
    return true;
  } catch (error) {
    tell('refused', refusal(error));
    return false;
  }
}

async function open(context) {
  let stream;
  try {
    stream = await openMicrophone();
  } catch (error) {
    tell('refused', refusal(error));
    return;
  }
  showLevel(stream, context);
  tell('connecting', 'Connecting the phone…');
  let relay;
  try {
    relay = await api('GET', '/api/agent/softphone/relay', undefined, { background: true });
  } catch (error) {
    retry(context, `The phone could not connect: ${error.message}. Trying again…`);
    return;
  }
  // Another open may have finished while this one waited.
  if (!wanted || connection !== null) return;
  const peer = new RTCPeerConnection({
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
    iceServers: relay.ice_servers.map(({ urls, username, credential }) => ({ urls, username, credential })),
    iceTransportPolicy: relay.relay_only ? 'relay' : 'all',
  });
  connection = peer;
  for (const track of stream.getAudioTracks()) peer.addTrack(track, stream);
  peer.ontrack = (event) => {
    $('caller-audio').srcObject = event.streams[0] ?? new MediaStream([event.track]);
  };
  peer.onconnectionstatechange = () => {
    if (peer !== connection) return;
    if (peer.connectionState === 'connected') tell('connected', 'Phone connected: you hear your calls here.');
    if (peer.connectionState === 'failed' || peer.connectionState === 'closed') lost(context);
  };
  try {
    await peer.setLocalDescription(await peer.createOffer());
    const answer = await api('POST', '/api/agent/softphone', { sdp: peer.localDescription.sdp }, { background: true });
    if (peer !== connection) return;
    await peer.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  } catch (error) {
    peer.close();
    if (peer === connection) connection = null;
    if (error instanceof ApiError && error.code === 'no_softphone') {
      tell('simulated', 'No phone audio here: this installation\'s calls are simulated.');
      wanted = false;
      return;
    }
    retry(context, `The phone could not connect: ${error.message}. Trying again…`);
  }
}

// Says why, then opens the phone again a little later, if work goes on.
function retry(context, words) {
  tell('lost', words);
  setTimeout(() => { if (wanted && connection === null) open(context); }, RECONNECT_MS);
}

function lost(context) {
  connection?.close();
  connection = null;
  if (!wanted) return;
  retry(context, 'The phone lost its connection. Reconnecting…');
}

// Opens the phone for work (once; a second call keeps the open one).
export function start(context) {
  wanted = true;
  if (deskPhoneChosen()) {
    if (!onDeskPhone && !deskPhoneFailed) openDeskPhone();
  } else if (connection === null) {
    open(context);
  }
}

// Closes the phone: work stopped.
export function stop() {
  deskPhoneFailed = false;
  if ($('ring-desk-phone')) $('ring-desk-phone').hidden = true;
  if (!wanted) return;
  wanted = false;
  const peer = connection;
  connection = null;
  if (peer || onDeskPhone) {
    peer?.close();
    onDeskPhone = false;
    api('DELETE', '/api/agent/softphone', undefined, { background: true }).catch(() => {});
  }
  for (const track of microphone?.getTracks() ?? []) track.stop();
  microphone = null;
  clearInterval(meter);
  meter = null;
  $('mic-level').value = 0;
  tell('off', 'Phone off.');
}

// Mutes or unmutes the microphone: the caller hears silence, the call goes on.
export function mute(on) {
  muted = on;
  for (const track of microphone?.getAudioTracks() ?? []) track.enabled = !on;
  return muted;
}

export const isMuted = () => muted;
