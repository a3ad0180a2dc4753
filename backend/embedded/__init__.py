"""The embedded servers Switchboard starts itself when no URL is set: the stack
(``backend.embedded.stack``), one module per server, and the processes they run in."""
