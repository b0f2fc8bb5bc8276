"""Generated input against the diagnosis API with the questionnaire loaded (the shared schema
test runs without one, where every submission is refused early)."""

from tests.test_api_schema import CHECKS, FUZZ, _keep_the_test_connection, schema, session_of  # noqa: F401

writes = schema.include(path_regex="^/api/v1/diagnosis/", method="POST")


@writes.parametrize()
@FUZZ
def test_writes_anonymously(case, questionnaire):
    case.call_and_validate(checks=CHECKS)


@writes.parametrize()
@FUZZ
def test_writes_signed_in(case, world, questionnaire):
    cookies, headers = session_of(world.users.enterprise)
    case.call_and_validate(checks=CHECKS, cookies=cookies, headers=headers)
