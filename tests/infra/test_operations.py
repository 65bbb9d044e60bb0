"""What an operator gets from template.yaml: alarms that reach someone, the dashboard, and
SES's events feeding the suppression list with the least access that does it.

Read after the SAM transform (the `resources` fixture), as AWS would deploy it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra_support import as_list, grants, of_type, referenced_ids, role_id

pytestmark = pytest.mark.tools

ALARM_TOPIC = "AlarmTopic"
MAIL_EVENTS_FUNCTION = "MailEventsFunction"
SUPPRESSION_TABLE = "SuppressionTable"
SENDER = "SenderFunction"
# AWS reviews an SES account at about these rates (and may pause its sending).
SES_REVIEW_BOUNCE_RATE, SES_REVIEW_COMPLAINT_RATE = 0.05, 0.001


@pytest.fixture(scope="module")
def alarms(resources) -> dict[str, dict[str, Any]]:
    return {name: alarm["Properties"] for name, alarm in of_type(resources, "AWS::CloudWatch::Alarm").items()}


def watching(alarms: dict[str, dict[str, Any]], namespace: str, metric: str, **dimensions: str) -> list[dict[str, Any]]:
    """The alarms on one metric; a dimension's value is the logical id it must point at."""
    found = []
    for alarm in alarms.values():
        if alarm.get("Namespace") != namespace or alarm.get("MetricName") != metric:
            continue
        given = {d["Name"]: referenced_ids(d["Value"]) for d in alarm.get("Dimensions", [])}
        if given == {name: {target} for name, target in dimensions.items()}:
            found.append(alarm)
    return found


def test_every_alarm_notifies_the_alarm_topic_when_it_fires_and_when_it_clears(resources, alarms) -> None:
    assert resources[ALARM_TOPIC]["Type"] == "AWS::SNS::Topic"
    assert len(alarms) >= 6
    silent = {
        name: (alarm.get("AlarmActions"), alarm.get("OKActions"))
        for name, alarm in alarms.items()
        if alarm.get("AlarmActions") != [{"Ref": ALARM_TOPIC}] or alarm.get("OKActions") != [{"Ref": ALARM_TOPIC}]
    }
    assert not silent, f"alarms that do not notify {ALARM_TOPIC} on ALARM and OK: {silent}"
    assert all(alarm.get("ActionsEnabled", True) for alarm in alarms.values())


def test_the_alarm_email_is_subscribed_only_when_one_is_given(translated, resources) -> None:
    subscriptions = [
        s for s in of_type(resources, "AWS::SNS::Subscription").values() if s["Properties"]["TopicArn"] == {"Ref": ALARM_TOPIC}
    ]
    assert len(subscriptions) == 1
    (subscription,) = subscriptions
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert translated["Conditions"][subscription["Condition"]] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    assert translated["Parameters"]["AlarmEmail"]["Default"] == ""


def test_every_function_has_an_errors_and_a_throttles_alarm(resources, alarms) -> None:
    functions = of_type(resources, "AWS::Lambda::Function")
    missing = [
        f"{name} {metric}"
        for name in functions
        for metric in ("Errors", "Throttles")
        if not [a for a in watching(alarms, "AWS/Lambda", metric, FunctionName=name) if a["Threshold"] <= 1]
    ]
    assert not missing, f"no alarm on: {missing}"


def test_the_api_alarms_on_its_5xx_answers_and_its_p99_latency(resources, alarms) -> None:
    (api,) = of_type(resources, "AWS::ApiGatewayV2::Api")
    assert watching(alarms, "AWS/ApiGateway", "5xx", ApiId=api)
    (latency,) = watching(alarms, "AWS/ApiGateway", "Latency", ApiId=api)
    assert latency["ExtendedStatistic"] == "p99"
    # Below the functions' own 10 s timeout, or the alarm would only ever see timeouts.
    assert 0 < latency["Threshold"] < 10_000


def test_the_count_lag_alarms_on_the_tallys_iterator_age(alarms) -> None:
    (age,) = watching(alarms, "AWS/Lambda", "IteratorAge", FunctionName="TallyFunction")
    assert age["Statistic"] == "Maximum"
    assert age["ComparisonOperator"].startswith("GreaterThan") and age["Threshold"] <= 5 * 60_000


def test_ses_reputation_alarms_fire_before_aws_reviews_the_account(alarms) -> None:
    (bounces,) = watching(alarms, "AWS/SES", "Reputation.BounceRate")
    (complaints,) = watching(alarms, "AWS/SES", "Reputation.ComplaintRate")
    assert 0 < bounces["Threshold"] <= SES_REVIEW_BOUNCE_RATE / 2
    assert 0 < complaints["Threshold"] <= SES_REVIEW_COMPLAINT_RATE / 2


def test_every_queue_of_given_up_work_has_an_alarm(resources, alarms) -> None:
    queues = of_type(resources, "AWS::SQS::Queue")
    assert {"TallyFailuresQueue", "MailEventsFailuresQueue"} <= set(queues)
    unwatched = [
        name
        for name in queues
        if not [
            a
            for a in alarms.values()
            if a.get("Namespace") == "AWS/SQS"
            and a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
            and {ref for d in a.get("Dimensions", []) for ref in referenced_ids(d["Value"])} == {name}
        ]
    ]
    assert not unwatched, f"queues nobody is told about: {unwatched}"


def dashboard_metrics(resources) -> list[list[Any]]:
    (dashboard,) = of_type(resources, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    # What CloudFormation substitutes: ${Logical} for a logical id, ${Logical.Attribute}, ${AWS::Region}.
    references = set(re.findall(r"\$\{([^}.]+)(?:\.[^}]+)?\}", body))
    unknown = {ref for ref in references if "::" not in ref and ref not in resources}
    assert not unknown, f"the dashboard names resources the template lacks: {unknown}"
    document = json.loads(re.sub(r"\$\{([^}]+)\}", r"\1", body))
    return [metric for widget in document["widgets"] for metric in widget["properties"]["metrics"]]


def test_the_dashboard_shows_the_api_every_function_the_count_lag_and_email(resources) -> None:
    shown = {(m[0], m[1], *[v for v in m[2:] if isinstance(v, str)]) for m in dashboard_metrics(resources)}
    (api,) = of_type(resources, "AWS::ApiGatewayV2::Api")
    wanted = {("AWS/ApiGateway", metric, "ApiId", api) for metric in ("Count", "5xx", "Latency")}
    wanted |= {
        ("AWS/Lambda", metric, "FunctionName", name)
        for name in of_type(resources, "AWS::Lambda::Function")
        for metric in ("Errors", "Duration", "Throttles")
    }
    wanted |= {("AWS/Lambda", "IteratorAge", "FunctionName", "TallyFunction")}
    wanted |= {("AWS/SES", metric) for metric in ("Send", "Bounce", "Complaint")}
    assert not wanted - shown, f"missing from the dashboard: {sorted(wanted - shown)}"


def test_ses_publishes_bounces_complaints_deliveries_and_rejects_to_mail_events(resources) -> None:
    (identity,) = of_type(resources, "AWS::SES::EmailIdentity").values()
    (config_set_id,) = referenced_ids(identity["Properties"]["ConfigurationSetAttributes"])
    assert resources[config_set_id]["Type"] == "AWS::SES::ConfigurationSet"
    (destination,) = of_type(resources, "AWS::SES::ConfigurationSetEventDestination").values()
    assert referenced_ids(destination["Properties"]["ConfigurationSetName"]) == {config_set_id}
    event_destination = destination["Properties"]["EventDestination"]
    assert event_destination["Enabled"] is True
    assert {"bounce", "complaint", "delivery", "reject"} <= set(event_destination["MatchingEventTypes"])
    (topic,) = referenced_ids(event_destination["SnsDestination"]["TopicARN"])
    consumers = [
        s["Properties"]["Endpoint"]
        for s in of_type(resources, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": topic} and s["Properties"]["Protocol"] == "lambda"
    ]
    assert consumers == [{"Fn::GetAtt": [MAIL_EVENTS_FUNCTION, "Arn"]}]


def test_only_ses_of_this_account_may_publish_mail_events(resources) -> None:
    (policy,) = of_type(resources, "AWS::SNS::TopicPolicy").values()
    for statement in as_list(policy["Properties"]["PolicyDocument"]["Statement"]):
        assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
        assert statement["Condition"]["StringEquals"] == {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert statement["Action"] == "sns:Publish"


def test_mail_events_alone_writes_the_suppression_list_and_the_sender_only_reads_it(resources) -> None:
    functions = of_type(resources, "AWS::Lambda::Function")
    access = {
        name: {action for action, resource in grants(resources[role_id(f)]) if SUPPRESSION_TABLE in referenced_ids(resource)}
        for name, f in functions.items()
    }
    access = {name: actions for name, actions in access.items() if actions}
    assert access == {MAIL_EVENTS_FUNCTION: {"dynamodb:UpdateItem"}, SENDER: {"dynamodb:GetItem"}}
    variables = functions[MAIL_EVENTS_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert variables["SUPPRESSION_TABLE"] == {"Ref": SUPPRESSION_TABLE}
    assert functions[SENDER]["Properties"]["Environment"]["Variables"]["SUPPRESSION_TABLE"] == {"Ref": SUPPRESSION_TABLE}


def test_the_sender_may_send_through_the_configuration_set_and_is_told_its_name(resources) -> None:
    (config_set_id,) = of_type(resources, "AWS::SES::ConfigurationSet")
    sending = [resource for action, resource in grants(resources[role_id(resources[SENDER])]) if action == "ses:SendEmail"]
    assert any(config_set_id in referenced_ids(r) and "configuration-set/" in json.dumps(r) for r in sending), sending
    name = resources[config_set_id]["Properties"]["Name"]
    assert resources[SENDER]["Properties"]["Environment"]["Variables"]["CONFIGURATION_SET"] == name


def test_mail_events_keeps_what_it_gives_up_on(resources) -> None:
    function = resources[MAIL_EVENTS_FUNCTION]["Properties"]
    (queue,) = referenced_ids(function["DeadLetterConfig"]["TargetArn"])
    assert resources[queue]["Type"] == "AWS::SQS::Queue"
    sends = {action for action, resource in grants(resources[role_id(resources[MAIL_EVENTS_FUNCTION])]) if queue in referenced_ids(resource)}
    assert sends == {"sqs:SendMessage"}
