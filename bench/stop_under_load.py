"""SIGTERM while clients poll as fast as they can: every response a client got must be complete,
and the mock must exit 0 within a second. Usage: stop_under_load.py BINARY [CLIENTS]"""
import re
import signal
import socket
import sys
import threading
import time

from common import Mock

binary = sys.argv[1]
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 32
REQUEST = b"GET /v1/p/jobs/21917a8d52a19b040152a9f2f1eb003e HTTP/1.1\r\nHost: bench\r\n\r\n"
mock = Mock(binary)
complete = [0] * clients
truncated = [0] * clients
stop = threading.Event()


def client(index):
    """Polls on keep-alive connections until the server is gone; checks every response."""
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", mock.port), timeout=5)
        except OSError:
            return  # the listener is closed: the server is stopping
        buffer = b""
        try:
            while True:
                sock.sendall(REQUEST)
                while True:
                    head_end = buffer.find(b"\r\n\r\n")
                    if head_end >= 0:
                        length = int(re.search(rb"Content-Length: (\d+)", buffer[:head_end]).group(1))
                        if len(buffer) >= head_end + 4 + length:
                            break
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise EOFError
                    buffer += chunk
                assert buffer.startswith(b"HTTP/1.1 200 OK\r\n"), buffer[:80]
                complete[index] += 1
                buffer = buffer[head_end + 4 + length:]
        except (EOFError, ConnectionResetError, BrokenPipeError, socket.timeout):
            if buffer:
                truncated[index] += 1  # part of a response, then the connection ended
        finally:
            sock.close()


threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for thread in threads:
    thread.start()
time.sleep(2)
before = sum(complete)
sent = time.monotonic()
mock.proc.send_signal(signal.SIGTERM)
status = mock.proc.wait(timeout=10)
exit_ms = (time.monotonic() - sent) * 1000
stop.set()
for thread in threads:
    thread.join()
print(f"stop under load: {clients} clients, {sum(complete)} complete responses ({sum(complete) - before} after "
      f"SIGTERM was sent), {sum(truncated)} truncated; exit {status} after {exit_ms:.0f} ms")
ok = status == 0 and exit_ms < 1000 and sum(truncated) == 0
print("stop under load:", "ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
