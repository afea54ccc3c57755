// @ts-check
// The peer connection to one other participant, negotiated with the polite/impolite "perfect
// negotiation" pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example).

/** @typedef {{ description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit }} PeerSignal */

export class RemotePeer {
  #pc;
  #polite;
  #send;
  #makingOffer = false;
  #ignoreOffer = false;
  #waitingForOffer;
  /** Signals are applied one after the other, in arrival order. */
  #queue = Promise.resolve();
  #stream;
  /** @type {Map<string, RTCRtpSender>} the sender of each kind of track this side sends */
  #senders = new Map();

  /**
   * The newcomer offers to everyone already there (`initiator`); they wait for its offer, so a
   * join never starts with colliding offers. Later renegotiations survive collisions: on glare
   * the polite side yields and the impolite side ignores the other's offer.
   * @param {object} options
   * @param {boolean} options.initiator whether this side makes the first offer
   * @param {boolean} options.polite whether this side yields on glare
   * @param {RTCIceServer[]} options.iceServers
   * @param {MediaStreamTrack[]} options.tracks sent from the start
   * @param {MediaStream} options.stream the stream the tracks are announced in
   * @param {(signal: PeerSignal) => void} options.send delivers a signal to the other side
   * @param {(stream: MediaStream) => void} options.onStream the other side's media arrived
   * @param {(state: RTCPeerConnectionState) => void} options.onConnectionState
   */
  constructor({
    initiator,
    polite,
    iceServers,
    tracks,
    stream,
    send,
    onStream,
    onConnectionState,
  }) {
    this.#polite = polite;
    this.#send = send;
    this.#waitingForOffer = !initiator;
    const pc = new RTCPeerConnection({ iceServers });
    this.#pc = pc;
    this.#stream = stream;
    for (const track of tracks) this.#senders.set(track.kind, pc.addTrack(track, stream));
    // A newcomer with no microphone or camera (blocked, absent, off) still offers to receive
    // them; a track added later takes the same transceiver over (one renegotiation).
    if (initiator)
      for (const kind of ['audio', 'video'])
        if (!this.#senders.has(kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
    pc.addEventListener('track', ({ streams: [remote] }) => {
      if (remote) onStream(remote);
    });
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) send({ candidate: candidate.toJSON() });
    });
    pc.addEventListener('negotiationneeded', () => void this.#offer());
    pc.addEventListener('connectionstatechange', () => {
      onConnectionState(pc.connectionState);
      if (pc.connectionState === 'failed') pc.restartIce();
    });
  }

  /** @param {PeerSignal} signal */
  receive(signal) {
    this.#queue = this.#queue.then(() => this.#apply(signal));
  }

  /**
   * Sends this track as the connection's audio or video from now on (camera ↔ shared screen,
   * another device, the camera turned off or on again): a swap without renegotiation when a
   * track of that kind was sent before, else added (a renegotiation).
   * @param {'audio' | 'video'} kind
   * @param {MediaStreamTrack | undefined} track undefined: send nothing of that kind
   */
  setTrack(kind, track) {
    if (this.#pc.signalingState === 'closed') return;
    const sender = this.#senders.get(kind);
    if (sender) {
      if (sender.track !== (track ?? null))
        sender
          .replaceTrack(track ?? null)
          .catch((failure) => console.warn('track swap failed', failure));
    } else if (track) {
      this.#senders.set(kind, this.#pc.addTrack(track, this.#stream));
    }
  }

  close() {
    this.#pc.close();
  }

  async #offer() {
    if (this.#waitingForOffer) return;
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      this.#sendDescription();
    } catch (failure) {
      console.warn('negotiation failed', failure);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** @param {PeerSignal} signal */
  async #apply({ description, candidate }) {
    const pc = this.#pc;
    try {
      if (description) {
        this.#waitingForOffer = false;
        const collision =
          description.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
        this.#ignoreOffer = !this.#polite && collision;
        if (this.#ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          await pc.setLocalDescription();
          this.#sendDescription();
        }
      } else if (candidate) {
        try {
          await pc.addIceCandidate(candidate);
        } catch (failure) {
          // Candidates of an offer we ignored fail to apply, and that is expected.
          if (!this.#ignoreOffer) throw failure;
        }
      }
    } catch (failure) {
      console.warn('signal handling failed', failure);
    }
  }

  #sendDescription() {
    const description = this.#pc.localDescription;
    if (description) this.#send({ description: description.toJSON() });
  }
}
