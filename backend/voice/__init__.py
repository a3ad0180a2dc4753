"""Phone calls: Twilio Media Streams bridged to the same call desk chat uses."""
