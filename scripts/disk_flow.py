"""Drives the disk APIs of a running mock with the real Huawei Cloud Python SDK (huaweicloudsdkevs)
and checks each answer, as a user's code would see them.
Usage: python disk_flow.py URL [--ak AK --sk SK] [--plan-admin] [--insecure]

One disk: create (v2.1) -> ShowJob until SUCCESS -> ShowVolume available, 10 GB -> ResizeVolume to
20 -> ShowVolume 20 -> RetypeVolume to SAS (POST /v2/{project_id}/volumes/{volume_id}/retype) ->
ShowVolume SAS -> DeleteVolume -> ShowVolume 404. Then a batch of three (batchCreateVolume with
three sub-jobs, each readable by its own id, listed by ListVolumes as py-batch-0001..0003).
With --plan-admin: a plan on /__admin/plans makes the next createVolume named py-doomed fail
with EVS.2024, and the disk is left in status error. Without it, no admin call is made.
With --ak/--sk the mock may run with --auth aksk --credential AK:SK: every call is signed."""
import argparse
import json
import sys
import time
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkevs.v2 import (
    CreateVolumeOption,
    CreateVolumeRequest,
    CreateVolumeRequestBody,
    DeleteVolumeRequest,
    EvsClient,
    ListVolumesRequest,
    OsExtend,
    ResizeVolumeRequest,
    ResizeVolumeRequestBody,
    RetypeVolume,
    RetypeVolumeRequest,
    RetypeVolumeRequestBody,
    ShowJobRequest,
    ShowVolumeRequest,
)

PROJECT = "0123456789abcdef0123456789abcdef"
POLL_INTERVAL = 0.05  # seconds between two ShowJob calls
DEADLINE = 30.0  # seconds a job may take to finish

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("url")
parser.add_argument("--ak", default="AK")
parser.add_argument("--sk", default="SK")
parser.add_argument("--plan-admin", action="store_true", help="also check a planned failure (calls /__admin/plans)")
parser.add_argument("--insecure", action="store_true", help="accept a self-signed certificate (https:// mock)")
args = parser.parse_args()


def step(message):
    print("disk_flow: " + message, flush=True)


def fail(message):
    print("disk_flow: FAILED: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def make_client():
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = args.insecure
    if args.insecure:
        import urllib3
        urllib3.disable_warnings()
    return (
        EvsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(args.ak, args.sk, PROJECT))
        .with_endpoints([args.url])
        .build()
    )


def call(what, function, request):
    """One SDK call; an exception it raises is a failure of the flow, told with the mock's answer."""
    try:
        return function(request)
    except Exception as error:  # an SdkException, or the SDK failing to parse the answer
        fail(f"{what} raised {type(error).__name__}: {error}")


def wait(job_id, expect="SUCCESS"):
    """Polls ShowJob until the job is SUCCESS or FAIL; returns the last ShowJobResponse."""
    deadline = time.monotonic() + DEADLINE
    polls = 0
    while True:
        job = call(f"ShowJob {job_id}", client.show_job, ShowJobRequest(job_id=job_id))
        polls += 1
        check(job.job_id == job_id, f"ShowJob {job_id} answered job_id {job.job_id!r}")
        if job.status in ("SUCCESS", "FAIL"):
            break
        check(job.status in ("INIT", "RUNNING"), f"job {job_id}: unknown status {job.status!r}")
        if time.monotonic() > deadline:
            fail(f"job {job_id} ({job.job_type}) still {job.status} after {DEADLINE:.0f} s")
        time.sleep(POLL_INTERVAL)
    check(
        job.status == expect,
        f"job {job_id} ({job.job_type}) ended {job.status}, expected {expect}"
        f" (error_code {job.error_code!r}, fail_reason {job.fail_reason!r})",
    )
    step(f"job {job_id} {job.job_type} -> {job.status} after {polls} polls")
    return job


def show(volume_id):
    return call(f"ShowVolume {volume_id}", client.show_volume, ShowVolumeRequest(volume_id=volume_id)).volume


def create(name, count=None):
    option = CreateVolumeOption(availability_zone="eu-de-01", volume_type="SSD", size=10, name=name, count=count)
    answer = call(f"CreateVolume {name}", client.create_volume,
                  CreateVolumeRequest(body=CreateVolumeRequestBody(volume=option)))
    check(bool(answer.job_id), f"CreateVolume {name}: no job_id in {answer}")
    check(isinstance(answer.volume_ids, list) and len(answer.volume_ids) == (count or 1),
          f"CreateVolume {name}: expected {count or 1} volume_ids, got {answer.volume_ids!r}")
    return answer


check(args.url.startswith(("http://", "https://")), f"URL must be http(s)://HOST:PORT, got {args.url!r}")
client = make_client()

# One disk, from creation to deletion.
created = create("py-flow")
volume_id = created.volume_ids[0]
step(f"created py-flow: job {created.job_id}, volume {volume_id}")
job = wait(created.job_id)
check(job.job_type == "createVolume", f"create job has job_type {job.job_type!r}")
check(job.entities is not None and job.entities.volume_id == volume_id,
      f"create job's entities.volume_id {job.entities and job.entities.volume_id!r} != volume_ids[0] {volume_id}")
volume = show(volume_id)
check(volume.id == volume_id, f"ShowVolume answered id {volume.id!r}")
check(volume.status == "available" and volume.size == 10 and volume.volume_type == "SSD" and volume.name == "py-flow",
      f"after create: status {volume.status!r}, size {volume.size!r}, type {volume.volume_type!r}, name {volume.name!r}"
      " (expected available, 10, SSD, py-flow)")
step(f"ShowVolume {volume_id}: available, 10 GB, SSD, availability_zone {volume.availability_zone}")

resized = call("ResizeVolume", client.resize_volume, ResizeVolumeRequest(
    volume_id=volume_id, body=ResizeVolumeRequestBody(os_extend=OsExtend(new_size=20))))
step(f"ResizeVolume to 20 GB: job {resized.job_id}")
job = wait(resized.job_id)
check(job.job_type == "extendVolume", f"resize job has job_type {job.job_type!r}")
volume = show(volume_id)
check(volume.status == "available" and volume.size == 20,
      f"after resize: status {volume.status!r}, size {volume.size!r} (expected available, 20)")
step(f"ShowVolume {volume_id}: available, 20 GB")

# The SDK's RetypeVolumeRequest posts /v2/{project_id}/volumes/{volume_id}/retype {"os-retype": {...}}.
retyped = call("RetypeVolume", client.retype_volume, RetypeVolumeRequest(
    volume_id=volume_id, body=RetypeVolumeRequestBody(os_retype=RetypeVolume(new_type="SAS"))))
step(f"RetypeVolume to SAS: job {retyped.job_id}")
job = wait(retyped.job_id)
check(job.job_type == "retypeVolume", f"retype job has job_type {job.job_type!r}")
volume = show(volume_id)
check(volume.status == "available" and volume.volume_type == "SAS" and volume.size == 20,
      f"after retype: status {volume.status!r}, type {volume.volume_type!r}, size {volume.size!r}"
      " (expected available, SAS, 20)")
step(f"ShowVolume {volume_id}: available, SAS")

deleted = call("DeleteVolume", client.delete_volume, DeleteVolumeRequest(volume_id=volume_id))
step(f"DeleteVolume: job {deleted.job_id}")
job = wait(deleted.job_id)
check(job.job_type == "deleteVolume", f"delete job has job_type {job.job_type!r}")
try:
    volume = client.show_volume(ShowVolumeRequest(volume_id=volume_id)).volume
    fail(f"ShowVolume of the deleted disk answered status {volume.status!r} instead of raising a 404")
except exceptions.ClientRequestException as error:
    check(error.status_code == 404, f"ShowVolume of the deleted disk: status {error.status_code}, expected 404 ({error})")
    step(f"ShowVolume {volume_id} after delete: ClientRequestException 404 {error.error_code}")

# A batch of three.
batch = create("py-batch", count=3)
step(f"created py-batch x3: job {batch.job_id}, volume_ids {batch.volume_ids}")
job = wait(batch.job_id)
check(job.job_type == "batchCreateVolume", f"batch job has job_type {job.job_type!r}")
sub_jobs = (job.entities and job.entities.sub_jobs) or []
check(len(sub_jobs) == 3, f"batch job has {len(sub_jobs)} sub_jobs, expected 3")
check(len({sub.job_id for sub in sub_jobs}) == 3, f"sub_jobs' job_ids are not distinct: {[s.job_id for s in sub_jobs]}")
sub_volume_ids = set()
for sub in sub_jobs:
    check(sub.status == "SUCCESS", f"sub-job {sub.job_id} is {sub.status!r} in the batch job")
    own = call(f"ShowJob {sub.job_id}", client.show_job, ShowJobRequest(job_id=sub.job_id))
    check(own.job_id == sub.job_id and own.status == "SUCCESS",
          f"ShowJob {sub.job_id}: job_id {own.job_id!r}, status {own.status!r}")
    check(own.job_type == sub.job_type == "createVolume", f"sub-job {sub.job_id} job_type {own.job_type!r}/{sub.job_type!r}")
    check(sub.entities is not None and own.entities is not None and own.entities.volume_id == sub.entities.volume_id,
          f"sub-job {sub.job_id}: volume_id differs between the batch job and its own ShowJob")
    sub_volume_ids.add(sub.entities.volume_id)
check(sub_volume_ids == set(batch.volume_ids),
      f"sub_jobs' volume_ids {sorted(sub_volume_ids)} != create answer's volume_ids {sorted(batch.volume_ids)}")
step(f"sub-jobs {', '.join(sub.job_id for sub in sub_jobs)} each read by ShowJob; their volume_ids == volume_ids")


def list_volumes(name=None):
    """All disks ListVolumes gives (by pages of 100), optionally with its name filter."""
    volumes, offset = [], 0
    while True:
        page = call("ListVolumes", client.list_volumes, ListVolumesRequest(name=name, limit=100, offset=offset))
        volumes += page.volumes or []
        if not page.volumes or len(page.volumes) < 100:
            return volumes
        offset += len(page.volumes)


# The name filter matches whole names, so each disk of the batch is listed by its own name.
expected_names = {"py-batch-0001", "py-batch-0002", "py-batch-0003"}
listed = {v.id: v for name in sorted(expected_names) for v in list_volumes(name=name) if v.id in batch.volume_ids}
how = "ListVolumes name=py-batch-000N"
check(set(listed) == set(batch.volume_ids), f"{how} is missing {sorted(set(batch.volume_ids) - set(listed))}")
names = {v.name for v in listed.values()}
check(names == expected_names, f"{how}: the batch's names are {sorted(names)}, expected {sorted(expected_names)}")
check(all(v.status == "available" and v.size == 10 for v in listed.values()),
      f"{how}: {[(v.name, v.status, v.size) for v in listed.values()]} (expected available, 10)")
step(f"{how}: {', '.join(sorted(names))}, all available")

if args.plan_admin:
    # The one admin call: the next createVolume of this project named py-doomed fails.
    plan = {
        "project_id": PROJECT,
        "job_type": "createVolume",
        "name": "py-doomed",
        "scenario": {"outcome": "FAIL", "error_code": "EVS.2024", "fail_reason": "volume is error!"},
        "times": 1,
    }
    request = urllib.request.Request(
        args.url.rstrip("/") + "/__admin/plans", data=json.dumps(plan).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    context = None
    if args.insecure:
        import ssl
        context = ssl._create_unverified_context()
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            answer = json.loads(response.read())
            check(response.status == 201, f"POST /__admin/plans answered {response.status}")
    except urllib.error.HTTPError as error:
        fail(f"POST /__admin/plans answered {error.code}: {error.read().decode(errors='replace')}")
    step(f"POST /__admin/plans: {answer.get('plan', {}).get('id')} (createVolume py-doomed fails with EVS.2024)")
    doomed = create("py-doomed")
    doomed_id = doomed.volume_ids[0]
    step(f"created py-doomed: job {doomed.job_id}, volume {doomed_id}")
    job = wait(doomed.job_id, expect="FAIL")
    check(job.error_code == "EVS.2024", f"failed job's error_code {job.error_code!r}, expected EVS.2024")
    check(job.fail_reason == "volume is error!", f"failed job's fail_reason {job.fail_reason!r}")
    volume = show(doomed_id)
    check(volume.status == "error", f"the failed disk's status is {volume.status!r}, expected error")
    step(f"ShowVolume {doomed_id}: error (job FAIL {job.error_code}: {job.fail_reason})")

step("all checks passed" + (" (with the planned failure)" if args.plan_admin else ""))
