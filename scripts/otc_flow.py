"""Drives a running mock with otcextensions (the OTC extension of openstacksdk) as a user's code
would: one disk created, waited for, read and deleted through its block storage proxy.
Usage: python otc_flow.py URL [--token TOKEN]

otcextensions has no EVS service of its own: disks go through openstacksdk's block storage API v2
(the native OpenStack API that EVS also serves), so the calls are
  POST   /v2/{project_id}/volumes                     {"volume": {...}}  -> {"volume": {"id", "status"}}
  GET    /v2/{project_id}/volumes/{volume_id}         (until available; then until 404)
  DELETE /v2/{project_id}/volumes/{volume_id}?cascade=False
No Keystone: the admin_token plugin sends X-Auth-Token with the endpoint overridden, so the mock
must run with --auth none, token or any (otcextensions signs only OBS requests with AK/SK)."""
import argparse
import sys

import openstack
import otcextensions.sdk
from openstack import exceptions
from openstack.block_storage.v2 import _proxy as block_storage_v2

PROJECT = "0123456789abcdef0123456789abcdef"
POLL_INTERVAL = 0.05  # seconds between two GETs while waiting
DEADLINE = 30  # seconds a disk may take to become available, or to go

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("url")
parser.add_argument("--token", default="tok", help="the X-Auth-Token sent (a --token of the mock's)")
args = parser.parse_args()


def step(message):
    print("otc_flow: " + message, flush=True)


def fail(message):
    print("otc_flow: FAILED: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


# keystoneauth would look for a version document at /v2 and /v2/{project_id} first; the mock, like
# the real EVS endpoint given with its version, is used as given (as openstacksdk does for swift).
block_storage_v2.Proxy.skip_discovery = True
url = args.url.rstrip("/")
check(url.startswith(("http://", "https://")), f"URL must be http(s)://HOST:PORT, got {args.url!r}")

try:
    conn = openstack.connect(
        auth_type="admin_token",
        auth={"endpoint": url, "token": args.token},
        region_name="eu-de",
        block_storage_api_version="2",
        block_storage_endpoint_override=f"{url}/v2/{PROJECT}",
    )
    otcextensions.sdk.register_otc_extensions(conn)
    volume = conn.block_storage.create_volume(
        name="otc-flow", size=10, volume_type="SSD", availability_zone="eu-de-01")
    check(bool(volume.id), f"create_volume answered no volume id: {volume.to_dict()}")
    step(f"create_volume: {volume.id}, status {volume.status}")
    volume = conn.block_storage.wait_for_status(
        volume, status="available", failures=["error"], interval=POLL_INTERVAL, wait=DEADLINE)
    step(f"wait_for_status: {volume.id} available")
    volume = conn.block_storage.get_volume(volume.id)
    check(volume.status == "available" and volume.size == 10 and volume.volume_type == "SSD"
          and volume.name == "otc-flow" and volume.availability_zone == "eu-de-01",
          f"get_volume: status {volume.status!r}, size {volume.size!r}, type {volume.volume_type!r},"
          f" name {volume.name!r}, availability_zone {volume.availability_zone!r}"
          " (expected available, 10, SSD, otc-flow, eu-de-01)")
    step(f"get_volume: available, 10 GB, SSD, {volume.availability_zone}")
    conn.block_storage.delete_volume(volume)
    step(f"delete_volume: {volume.id}")
    conn.block_storage.wait_for_delete(volume, interval=POLL_INTERVAL, wait=DEADLINE)
    try:
        gone = conn.block_storage.get_volume(volume.id)
        fail(f"get_volume of the deleted disk answered status {gone.status!r} instead of a 404")
    except exceptions.NotFoundException as error:
        step(f"wait_for_delete, then get_volume: 404 ({type(error).__name__})")
except exceptions.SDKException as error:
    fail(f"{type(error).__name__}: {error}")

step("all checks passed")
