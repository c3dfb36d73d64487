"""Audio plumbing: sample-rate conversion, framing, and the real-time outgoing pacer."""
