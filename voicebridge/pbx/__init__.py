"""PBX control side channel: Asterisk AMI for call metadata and transfers."""
