"""Runs the README's Python snippets ("Point your client at the mock") against a running mock,
each with the interpreter that has its client, so that the README shows code that works.
Usage: python3 readme_snippets.py URL [--sdk PYTHON] [--otc PYTHON]
The snippets name http://127.0.0.1:8080; that is replaced by URL."""
import argparse
import pathlib
import re
import subprocess
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("url")
parser.add_argument("--sdk", help="a python with huaweicloudsdkevs")
parser.add_argument("--otc", help="a python with otcextensions")
args = parser.parse_args()

readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
section = readme.split("## Point your client at the mock", 1)[1].split("\n## ", 1)[0]
snippets = re.findall(r"```python\n(.*?)```", section, re.S)
clients = [("huaweicloudsdkevs", args.sdk, "huaweicloudsdkevs"), ("otcextensions", args.otc, "otcextensions")]
for name, python, module in clients:
    code = next((s for s in snippets if module in s), None)
    if code is None:
        sys.exit(f"readme_snippets: no {name} snippet in the README's section")
    if python is None:
        continue
    code = code.replace("http://127.0.0.1:8080", args.url)
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"readme_snippets: the {name} snippet failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    print(f"readme_snippets: the {name} snippet ran: {result.stdout.strip()[-200:] or '(no output)'}")
