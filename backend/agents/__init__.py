"""The agent tree: a vertical of SDK agents, its tools, the policy model, the runner.

Empty on purpose: importing a leaf (``backend.agents.clock``, ``backend.agents.policy.parse``)
costs only what that leaf imports, not the SDK. The runtime is ``backend.agents.runner``."""
