"""What one million verified signatures cost, all in (`make bench`).

Every request a signer's path makes, priced: Lambda (arm64 GB-seconds and requests, for
every function on the path), the HTTP API, CloudFront, DynamoDB (writes from the capacity
model's as-built design, reads, index writes; stream reads by Lambda are free), SES, SQS
for the email outbox, CloudWatch Logs and X-Ray. Prices are us-east-1 list prices with no
free tier; each is a named constant with its source. Usage figures marked "assumption"
are ours: change them and run again.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import capacity  # noqa: E402 - the sibling module, by path

SIGNATURES = 1_000_000

# ---------------------------------------------------------------- prices (us-east-1, list)
# "AWS Lambda pricing" (aws.amazon.com/lambda/pricing): Arm, per GB-second and per request.
LAMBDA_ARM_GB_SECOND = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
# "Amazon API Gateway pricing" (aws.amazon.com/api-gateway/pricing): HTTP APIs, first 300 million.
HTTP_API_REQUEST = 1.00 / 1e6
# "Amazon CloudFront pricing" (aws.amazon.com/cloudfront/pricing): HTTPS requests in the United
# States and Europe, per 10,000; data transfer out to the internet, first 10 TB, per GB; requests
# forwarded to the origin (POST) and origin fetches from AWS origins carry no extra transfer fee
# beyond "Regional Data Transfer Out to Origin" for request bodies.
CLOUDFRONT_HTTPS_REQUEST = 0.0100 / 10_000
CLOUDFRONT_TRANSFER_OUT_GB = 0.085
CLOUDFRONT_TO_ORIGIN_GB = 0.020
# The same page, "CloudFront Functions": per million invocations (EdgeLanguageFunction, a
# viewer request function on the default behaviour and /letters/*).
CLOUDFRONT_FUNCTION_INVOCATION = 0.10 / 1e6
# "Amazon DynamoDB pricing" (aws.amazon.com/dynamodb/pricing/on-demand): on-demand, per million
# write and read request units. "GetRecords API calls invoked by AWS Lambda as part of DynamoDB
# triggers are free."
DYNAMODB_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_READ_UNIT = 0.125 / 1e6
# "Amazon SES pricing" (aws.amazon.com/ses/pricing): outbound email, per 1,000.
SES_EMAIL = 0.10 / 1_000
# "Amazon SQS pricing" (aws.amazon.com/sqs/pricing): standard queue requests, per million (each
# 64 KB chunk of a request is one).
SQS_REQUEST = 0.40 / 1e6
# "Amazon CloudWatch pricing" (aws.amazon.com/cloudwatch/pricing): logs ingested (standard), per GB.
LOGS_INGESTED_GB = 0.50
# "AWS X-Ray pricing" (aws.amazon.com/xray/pricing): traces recorded, per million.
XRAY_TRACE = 5.00 / 1e6

# ---------------------------------------------------------------- the path (assumptions)
# Not everyone who submits confirms: submissions (and confirmation emails) per verified signature.
SUBMISSIONS_PER_VERIFIED = 1.25
# Cross-origin widget posts are preflighted once (Access-Control-Max-Age 600).
PREFLIGHTS_PER_SUBMISSION = 1.0
# A signer's page loads the widget (widget.js, its strings), the campaign and the count, and
# polls the count while open; all cacheable at the edge.
PUBLIC_GETS_PER_SIGNER = 8
EDGE_HIT_RATIO = 0.95
RESPONSE_KB = 3.0
REQUEST_BODY_KB = 1.0
# Lambda: memory (template.yaml) and billed duration per invocation at the surge.
SUBMIT_MB, SUBMIT_MS = 256, 150
VERIFY_MB, VERIFY_MS = 256, 80  # GET /verify page and POST /verify alike
READ_MB, READ_MS = 128, 20  # count, badge; the campaign and lists are 256 MB, averaged in here
SENDER_MB, SENDER_MS_PER_EMAIL = 256, 60  # the outbox's sender, one SES call per email
SENDER_BATCH = 10  # SQS messages per sender invocation
TALLY_MB = 256
# Log lines per invocation (START/END/REPORT and the function's own JSON) and per API access log.
LOG_KB_PER_INVOCATION = 1.5
ACCESS_LOG_KB = 0.3
# X-Ray's default sampling: the first request a second and 5% of the rest.
TRACE_SAMPLE = 0.05


@dataclass(frozen=True)
class Line:
    what: str
    quantity: float
    unit: str
    price: float

    @property
    def dollars(self) -> float:
        return self.quantity * self.price


def gb_seconds(invocations: float, memory_mb: int, milliseconds: float) -> float:
    return invocations * memory_mb / 1024 * milliseconds / 1000


def bill(signatures: int = SIGNATURES) -> list[Line]:
    design = capacity.CURRENT
    path = capacity.tally_path(design)
    submissions = signatures * SUBMISSIONS_PER_VERIFIED
    preflights = submissions * PREFLIGHTS_PER_SUBMISSION
    verifies = signatures * 2  # the link's page, then its button's POST
    public_gets = signatures * PUBLIC_GETS_PER_SIGNER
    origin_gets = public_gets * (1 - EDGE_HIT_RATIO)
    emails = submissions
    api_requests = submissions + preflights + verifies + origin_gets
    edge_requests = api_requests + public_gets * EDGE_HIT_RATIO
    records = signatures * capacity.STREAM_RECORDS_PER_SIGNATURE
    tally_invocations = records / path.records_per_batch
    sender_invocations = emails / SENDER_BATCH
    invocations = submissions + preflights + verifies + origin_gets + tally_invocations + sender_invocations

    lambda_gb_s = (
        gb_seconds(submissions + preflights, SUBMIT_MB, SUBMIT_MS)
        + gb_seconds(verifies, VERIFY_MB, VERIFY_MS)
        + gb_seconds(origin_gets, READ_MB, READ_MS)
        + gb_seconds(tally_invocations, TALLY_MB, path.seconds_per_batch * 1000)
        + gb_seconds(sender_invocations, SENDER_MB, SENDER_MS_PER_EMAIL * SENDER_BATCH)
    )
    # Writes: the as-built design's units per verified signature, plus the unverified
    # submissions' own put and rate-limit writes.
    per_signature = capacity.write_cost(design)
    unverified = submissions - signatures
    write_units = signatures * per_signature.total + unverified * (per_signature.submit_put + per_signature.rate_limits)
    campaign_reads = capacity.campaign_reads_per_second(design) / capacity.SURGE_PER_SECOND
    # Verify and the sender read the signature eventually consistently (the capacity model's).
    signature_reads = capacity.SIGNATURE_READS_PER_SIGNATURE * capacity.EVENTUAL_READ_FACTOR * capacity.units(
        capacity.SIGNATURE_ITEM_KB, capacity.READ_UNIT_KB)
    read_units = signatures * (
        campaign_reads * capacity.EVENTUAL_READ_FACTOR * capacity.units(capacity.CAMPAIGN_ITEM_KB, capacity.READ_UNIT_KB)
        + signature_reads
    ) + origin_gets * capacity.EVENTUAL_READ_FACTOR * capacity.units(capacity.CAMPAIGN_ITEM_KB, capacity.READ_UNIT_KB)
    # The tally's own reads, per batch: its partition's position (GetItem) and the count it announces.
    read_units += tally_invocations * capacity.tally_read_units_per_batch(design)
    # The outbox: send, receive and delete per email (receives and deletes in batches of 10).
    sqs_requests = emails * (1 + 2 / SENDER_BATCH)
    log_gb = (invocations * LOG_KB_PER_INVOCATION + api_requests * ACCESS_LOG_KB) / 1024 / 1024
    return [
        Line("Lambda compute (arm64)", lambda_gb_s, "GB-s", LAMBDA_ARM_GB_SECOND),
        Line("Lambda requests", invocations, "invocations", LAMBDA_REQUEST),
        Line("HTTP API requests", api_requests, "requests", HTTP_API_REQUEST),
        Line("CloudFront HTTPS requests", edge_requests, "requests", CLOUDFRONT_HTTPS_REQUEST),
        Line("CloudFront transfer out", edge_requests * RESPONSE_KB / 1024 / 1024, "GB", CLOUDFRONT_TRANSFER_OUT_GB),
        # An upper bound: counted on every edge request, though it runs on two behaviours only.
        Line("CloudFront Functions (language)", edge_requests, "invocations", CLOUDFRONT_FUNCTION_INVOCATION),
        Line("CloudFront to origin (bodies)", (submissions + signatures) * REQUEST_BODY_KB / 1024 / 1024, "GB", CLOUDFRONT_TO_ORIGIN_GB),
        Line("DynamoDB writes (incl. index, tally)", write_units, "write units", DYNAMODB_WRITE_UNIT),
        Line("DynamoDB reads (stream reads free)", read_units, "read units", DYNAMODB_READ_UNIT),
        Line("SES emails", emails, "emails", SES_EMAIL),
        Line("SQS outbox requests", sqs_requests, "requests", SQS_REQUEST),
        Line("CloudWatch Logs ingested", log_gb, "GB", LOGS_INGESTED_GB),
        Line("X-Ray traces", (api_requests + tally_invocations + sender_invocations) * TRACE_SAMPLE, "traces", XRAY_TRACE),
    ]


def total(signatures: int = SIGNATURES) -> float:
    return sum(line.dollars for line in bill(signatures))


def main() -> None:
    lines = bill()
    print(f"cost of {SIGNATURES:,} verified signatures (us-east-1 list prices, no free tier; "
          f"{SUBMISSIONS_PER_VERIFIED:g} submissions per verified, the as-built key design)")
    print(f"{'item':<40}{'quantity':>16}  {'unit':<12}{'price/unit':>14}{'USD':>10}")
    for line in lines:
        print(f"{line.what:<40}{line.quantity:>16,.1f}  {line.unit:<12}{line.price:>14.3g}{line.dollars:>10.2f}")
    dollars = sum(line.dollars for line in lines)
    print(f"{'total':<40}{'':>16}  {'':<12}{'':>14}{dollars:>10.2f}")
    print(f"= ${dollars:.2f} per million verified signatures, ${dollars / SIGNATURES * 1000:.3f} per thousand")


if __name__ == "__main__":
    main()
