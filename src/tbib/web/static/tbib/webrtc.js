// A live consultation between the unit and the specialist: WebRTC, signalled over the
// server's WebSocket. Low-bandwidth profile: video capped (maxBitrate), audio-only on demand.
(function () {
  const cfg = JSON.parse(document.getElementById("live-config").textContent);
  const state = document.getElementById("live-state");
  const local = document.getElementById("local-video");
  const remote = document.getElementById("remote-video");
  let pc, ws, stream;
  const pending = [];

  function show(text) { state.textContent = text; document.body.dataset.rtc = text; }
  function send(message) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(message)); }

  async function capVideo() {
    for (const sender of pc.getSenders()) {
      if (!sender.track || sender.track.kind !== "video") continue;
      const params = sender.getParameters();
      if (!params.encodings || !params.encodings.length) params.encodings = [{}];
      params.encodings[0].maxBitrate = cfg.maxVideoBitrate;
      try { await sender.setParameters(params); } catch (e) { /* older browsers: keep default */ }
    }
  }

  async function flush() {
    while (pending.length) { try { await pc.addIceCandidate(pending.shift()); } catch (e) {} }
  }

  async function onMessage(event) {
    const msg = JSON.parse(event.data);
    if (msg.type === "joined") {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      send({ type: "offer", sdp: pc.localDescription });
    } else if (msg.type === "offer") {
      await pc.setRemoteDescription(msg.sdp);
      await flush();
      await pc.setLocalDescription(await pc.createAnswer());
      send({ type: "answer", sdp: pc.localDescription });
    } else if (msg.type === "answer") {
      await pc.setRemoteDescription(msg.sdp);
      await flush();
    } else if (msg.type === "candidate") {
      if (pc.remoteDescription) { try { await pc.addIceCandidate(msg.candidate); } catch (e) {} }
      else pending.push(msg.candidate);
    } else if (msg.type === "bye") {
      show("peer-left");
    }
  }

  async function start() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: cfg.audioOnly ? false : { width: { ideal: 480 }, height: { ideal: 360 }, frameRate: { ideal: 15 } },
      });
    } catch (e) {
      show("no-media");
      return;
    }
    local.srcObject = stream;
    pc = new RTCPeerConnection({ iceServers: cfg.iceServers });
    stream.getTracks().forEach(function (t) { pc.addTrack(t, stream); });
    pc.ontrack = function (e) { remote.srcObject = e.streams[0]; };
    pc.onicecandidate = function (e) { if (e.candidate) send({ type: "candidate", candidate: e.candidate }); };
    pc.onconnectionstatechange = function () {
      show(pc.connectionState);
      if (pc.connectionState === "connected") capVideo();
      if (pc.connectionState === "failed") document.getElementById("live-fallback").hidden = false;
    };
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + cfg.signalling);
    ws.onmessage = onMessage;
    ws.onopen = function () { show("waiting"); };
    ws.onclose = function () { if (!pc || pc.connectionState !== "connected") show("signalling-closed"); };
  }

  // For the tests and the curious: is media flowing?
  window.tbibLiveStats = async function () {
    if (!pc) return { state: "none", framesDecoded: 0, audioBytes: 0 };
    const stats = await pc.getStats();
    let frames = 0, audio = 0;
    stats.forEach(function (r) {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") audio += r.bytesReceived || 0;
    });
    return { state: pc.connectionState, framesDecoded: frames, audioBytes: audio };
  };
  start();
})();
