"""Points the real Huawei Cloud Python SDK (huaweicloudsdkevs) at a running mock and checks
what it parses. Usage: python sdk_check.py URL [--signed] [--insecure]
With --signed the mock runs with --auth aksk --credential AK:SK: the SDK's signature must verify
and one made with a wrong secret must be refused."""
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkevs.v2 import EvsClient, ShowJobRequest

def make_client(sk):
    config = HttpConfig.get_default_config()
    # --insecure: an https:// mock with a self-signed certificate, as in its README.
    config.ignore_ssl_verification = "--insecure" in sys.argv
    if config.ignore_ssl_verification:
        import urllib3
        urllib3.disable_warnings()
    return (
        EvsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials("AK", sk, "0123456789abcdef0123456789abcdef"))
        .with_endpoints([sys.argv[1]])
        .build()
    )


client = make_client("SK")

running = client.show_job(ShowJobRequest(job_id="4010a32d535527910153552b492c0002"))
assert running.status == "RUNNING" and running.job_type == "createVolume", running
assert running.entities.volume_id == "bdf1bb37-f20f-4266-9a04-f43e0a127376", running
assert running.end_time == "" and running.error_code is None, running

batch = client.show_job(ShowJobRequest(job_id="21917a8d52a19b040152a9f2f1eb003e"))
assert batch.status == "SUCCESS", batch
assert [sub.job_id for sub in batch.entities.sub_jobs] == [
    "21917a8d52a19b040152a9f2f2e50041",
    "21917a8d52a19b040152a9f2f2f60042",
], batch

try:
    client.show_job(ShowJobRequest(job_id="ffffffffffffffffffffffffffffffff"))
    raise AssertionError("an unknown job must raise")
except exceptions.ClientRequestException as error:
    assert error.status_code == 400 and error.error_code == "Common.0011", error
    assert error.error_msg == "query job fail." and len(error.request_id) == 32, error

if "--signed" in sys.argv:
    # The SDK's opt-in derived signer (V11-HMAC-SHA256), for every request. Its service name and
    # region normally come from the region the client is built for; an endpoint has neither.
    derived = make_client("SK")
    credentials = derived.get_credentials()
    credentials.with_derived_predicate(lambda request: True)
    credentials._derived_auth_service_name, credentials._region_id = "evs", "eu-de"
    seen = derived.show_job(ShowJobRequest(job_id="4010a32d535527910153552b492c0002"))
    assert seen.status == "RUNNING", seen
    try:
        make_client("not-the-secret").show_job(ShowJobRequest(job_id="4010a32d535527910153552b492c0002"))
        raise AssertionError("a wrong secret must be refused")
    except exceptions.ClientRequestException as error:
        assert error.status_code == 401 and error.error_code == "APIGW.0301", error
        assert error.error_msg.endswith("verify aksk signature fail"), error
    print("sdk: its SDK-HMAC-SHA256 and V11-HMAC-SHA256 signatures verify, and a wrong secret gets 401 APIGW.0301")
else:
    print("sdk: huaweicloudsdkevs parsed the running job, the batch job (gzip) and the 400 error")
