"""daphne with a graceful stop (same options as daphne):

    python -m portal.core.serve --bind 127.0.0.1 --port 8001 portal.asgi:application

On SIGTERM daphne cancels every application at once: sockets drop without a close frame
(clients see 1006) and consumers never run `disconnect` (presence rows stay behind until
they expire). Here the stop first closes each WebSocket with 1012 "service restart" — the
client reconnects (through the proxy, to another process) and resumes from its last
notification number — and gives requests in flight and the consumers' `disconnect` a moment
to finish; only what is still running after that is cancelled."""

from __future__ import annotations

import logging
import os
import time

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import defer, reactor

logger = logging.getLogger(__name__)

SERVICE_RESTART = 1012
DRAIN_SECONDS = float(os.environ.get("AGORA_DRAIN_SECONDS", "8"))


class GracefulServer(Server):
    def listen_success(self, port):
        self.__dict__.setdefault("ports", []).append(port)
        return super().listen_success(port)

    def kill_all_applications(self):
        # No new connections: the proxy sends reconnecting clients to another process.
        for port in self.__dict__.get("ports", []):
            port.stopListening()
        sockets = [
            protocol
            for protocol in list(self.connections)
            if isinstance(protocol, WebSocketProtocol) and protocol.state == protocol.STATE_OPEN
        ]
        for protocol in sockets:
            try:
                # sendClose() only allows application codes (1000, 3000-4999); 1012 is the
                # protocol's own "service restart", sent as a plain close frame.
                protocol.sendCloseFrame(code=SERVICE_RESTART, reasonUtf8=b"server restarting")
            except Exception:
                logger.exception("Could not close a WebSocket with 1012")
        logger.info("Stopping: closed %d WebSocket(s) with 1012, draining", len(sockets))
        drained = defer.Deferred()
        deadline = time.monotonic() + DRAIN_SECONDS

        def busy() -> int:
            return sum(
                1
                for details in list(self.connections.values())
                if details.get("application_instance") is not None
                and not details["application_instance"].done()
            )

        def poll() -> None:
            left = busy()
            if not left or time.monotonic() >= deadline:
                logger.info("Stopping: %d application(s) still running after the drain", left)
                drained.callback(None)
            else:
                reactor.callLater(0.1, poll)

        poll()
        drained.addCallback(lambda _: Server.kill_all_applications(self))
        return drained


class GracefulCommandLineInterface(CommandLineInterface):
    server_class = GracefulServer


if __name__ == "__main__":
    GracefulCommandLineInterface.entrypoint()
