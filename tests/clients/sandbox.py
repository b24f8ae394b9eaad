"""Starts a fresh flare-sandbox on free ports for one test class and stops it afterwards."""
import re
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "debug" / "flare-sandbox"


class Sandbox:
    """A running sandbox; `urls` maps "ServiceNow instance" / "Zendesk account" to base URLs."""

    def __init__(self, *args: str) -> None:
        if not BINARY.exists():
            raise RuntimeError(f"{BINARY} is missing: run scripts/build.sh first")
        self.process = subprocess.Popen(
            [str(BINARY), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.urls: dict[str, str] = {}
        wanted = sum(1 for arg in args if arg in ("--servicenow", "--zendesk")) or 1
        found = threading.Event()

        def read() -> None:
            for line in self.process.stdout:
                match = re.match(r"(ServiceNow instance|Zendesk account): (http://\S+)", line)
                if match:
                    self.urls[match.group(1)] = match.group(2)
                    if len(self.urls) == wanted:
                        found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(timeout=30):
            self.stop()
            raise RuntimeError(f"the sandbox did not print its URLs: {self.urls}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def host_of(url: str) -> str:
    """`http://127.0.0.1:8300` -> `127.0.0.1:8300`."""
    return url.split("://", 1)[1]

