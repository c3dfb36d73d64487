// Microphone capture for the browser phone: 128-sample blocks in, 20 ms of 16-bit PCM (320 samples at 16 kHz) out.
class PcmCapture extends AudioWorkletProcessor {
  constructor() { super(); this.buffer = new Int16Array(320); this.fill = 0; }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        const s = Math.max(-1, Math.min(1, channel[i]));
        this.buffer[this.fill++] = s < 0 ? s * 0x8000 : s * 0x7fff;
        if (this.fill === this.buffer.length) {
          this.port.postMessage(this.buffer.buffer.slice(0));
          this.fill = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor("pcm-capture", PcmCapture);
