"""pysnow (https://pypi.org/project/pysnow/), a real ServiceNow client, against the sandbox:
CRUD, its query builder's operators, ordering and paging."""
import unittest
from datetime import datetime, timedelta, timezone

import pysnow
from pysnow.exceptions import NoResults
from requests.exceptions import HTTPError

from sandbox import Sandbox, host_of


class PysnowAgainstSandbox(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.sandbox = Sandbox("--servicenow", "127.0.0.1:0")
        host = host_of(cls.sandbox.urls["ServiceNow instance"])
        cls.admin = pysnow.Client(host=host, user="admin", password="admin", use_ssl=False)
        cls.abel = pysnow.Client(host=host, user="abel.tuter", password="abel.tuter", use_ssl=False)
        cls.incidents = cls.admin.resource(api_path="/table/incident")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sandbox.stop()

    def numbers(self, query, **kwargs) -> list[str]:
        return [record["number"] for record in self.incidents.get(query=query, **kwargs).all()]

    def test_create_read_update_delete(self) -> None:
        created = self.incidents.create(
            payload={"short_description": "Created by pysnow", "urgency": "1", "impact": "2"}
        )
        self.assertRegex(created["number"], r"^INC\d{7}$")
        self.assertEqual(created["priority"], "2")
        self.assertEqual(created["state"], "1")

        fetched = self.incidents.get(query={"number": created["number"]}).one()
        self.assertEqual(fetched["sys_id"], created["sys_id"])

        updated = self.incidents.update(query={"number": created["number"]}, payload={"state": "2"})
        self.assertEqual(updated["state"], "2")
        self.assertEqual(updated["sys_mod_count"], "1")

        self.incidents.delete(query={"number": created["number"]})
        with self.assertRaises(NoResults):
            self.incidents.get(query={"number": created["number"]}).one()

    def test_query_builder_operators(self) -> None:
        def query():
            return pysnow.QueryBuilder()

        everything = self.numbers({})
        self.assertGreater(len(everything), 3)
        cases = {
            "equals": query().field("state").equals("1"),
            "not_equals": query().field("state").not_equals("1"),
            "contains": query().field("short_description").contains("wifi"),
            "not_contains": query().field("short_description").not_contains("wifi"),
            "starts_with": query().field("number").starts_with("INC000000"),
            "ends_with": query().field("number").ends_with("1"),
            "is_empty": query().field("assigned_to").is_empty(),
            "is_not_empty": query().field("assigned_to").is_not_empty(),
            "greater_than": query().field("priority").greater_than(3),
            "less_than": query().field("priority").less_than(3),
            "in_list": query().field("state").equals(["1", "2"]),
            "not_in_list": query().field("state").not_equals(["1", "2"]),
        }
        expected = {
            "equals": lambda r: r["state"] == "1",
            "not_equals": lambda r: r["state"] != "1",
            "contains": lambda r: "wifi" in r["short_description"],
            "not_contains": lambda r: "wifi" not in r["short_description"],
            "starts_with": lambda r: r["number"].startswith("INC000000"),
            "ends_with": lambda r: r["number"].endswith("1"),
            "is_empty": lambda r: r["assigned_to"] == "",
            "is_not_empty": lambda r: r["assigned_to"] != "",
            "greater_than": lambda r: int(r["priority"]) > 3,
            "less_than": lambda r: int(r["priority"]) < 3,
            "in_list": lambda r: r["state"] in ("1", "2"),
            "not_in_list": lambda r: r["state"] not in ("1", "2"),
        }
        self.assert_selects(cases, expected, some_left_out=False)

    def test_ranges_dates_and_new_queries(self) -> None:
        def query():
            return pysnow.QueryBuilder()

        def opened(record) -> datetime:
            return datetime.strptime(record["opened_at"], "%Y-%m-%d %H:%M:%S")

        # The seeded incidents were opened from 2024-03-04 09:00:00 UTC on; every user's time
        # zone is GMT, so naive datetimes are UTC both here and on the instance.
        low, high = datetime(2024, 3, 4, 12, 0, 0), datetime(2024, 3, 6, 10, 0, 0)
        an_hour_east = timezone(timedelta(hours=1))
        cases = {
            "between_numbers": query().field("priority").between(2, 4),
            "between_dates": query().field("opened_at").between(low, high),
            "greater_than_or_equal": query().field("priority").greater_than_or_equal(4),
            "less_than_or_equal": query().field("priority").less_than_or_equal(3),
            "greater_than_date": query().field("opened_at").greater_than(high),
            "less_than_date": query().field("opened_at").less_than(low),
            "greater_than_or_equal_date": query().field("opened_at").greater_than_or_equal(high),
            "less_than_or_equal_date": query().field("opened_at").less_than_or_equal(low),
            # pysnow turns an aware datetime into UTC: 11:00 an hour east is 10:00 UTC.
            "aware_date": query().field("opened_at").greater_than_or_equal(high.replace(hour=11, tzinfo=an_hour_east)),
            "new_query": query().field("state").equals("7").NQ().field("state").equals("8"),
            "new_query_after_and": query().field("state").equals("1").AND().field("urgency").equals("3").NQ().field("state").equals("7"),
        }
        expected = {
            "between_numbers": lambda r: 2 <= int(r["priority"]) <= 4,
            "between_dates": lambda r: low <= opened(r) <= high,
            "greater_than_or_equal": lambda r: int(r["priority"]) >= 4,
            "less_than_or_equal": lambda r: int(r["priority"]) <= 3,
            "greater_than_date": lambda r: opened(r) > high,
            "less_than_date": lambda r: opened(r) < low,
            "greater_than_or_equal_date": lambda r: opened(r) >= high,
            "less_than_or_equal_date": lambda r: opened(r) <= low,
            "aware_date": lambda r: opened(r) >= high,
            "new_query": lambda r: r["state"] in ("7", "8"),
            "new_query_after_and": lambda r: (r["state"] == "1" and r["urgency"] == "3") or r["state"] == "7",
        }
        self.assert_selects(cases, expected)
        # The bounds are included: INC0000002 was opened at 12:00 on the 4th, INC0000005 at 10:00
        # on the 6th.
        seeded = [number for number in self.numbers(cases["between_dates"]) if number < "INC0001000"]
        self.assertEqual(sorted(seeded), ["INC0000002", "INC0000003", "INC0000004", "INC0000005"])

    def assert_selects(self, cases, expected, some_left_out=True) -> None:
        """Each built query selects exactly the incidents its predicate holds for, and some."""
        records = {
            record["number"]: record
            for record in self.incidents.get(
                query={}, fields=["number", "state", "short_description", "assigned_to", "priority", "urgency", "opened_at"]
            ).all()
        }
        for name, built in cases.items():
            with self.subTest(operator=name, query=str(built)):
                try:
                    actual = sorted(self.numbers(built))
                except NoResults:
                    actual = []
                want = sorted(number for number, record in records.items() if expected[name](record))
                self.assertEqual(actual, want)
                self.assertNotEqual(want, [], "each case should select something")
                if some_left_out:
                    self.assertNotEqual(want, sorted(records), "each case should leave something out")

    def test_and_or_and_ordering(self) -> None:
        built = (
            pysnow.QueryBuilder()
            .field("state").equals("1")
            .OR()
            .field("state").equals("2")
            .AND()
            .field("number").order_descending()
        )
        numbers = self.numbers(built)
        self.assertEqual(numbers, sorted(numbers, reverse=True))
        states = {record["state"] for record in self.incidents.get(query=built).all()}
        self.assertTrue(states <= {"1", "2"}, states)

    def test_paging_with_limit_and_offset(self) -> None:
        everything = self.numbers(pysnow.QueryBuilder().field("number").order_ascending())
        pages = []
        for offset in range(0, len(everything), 2):
            pages += self.numbers(pysnow.QueryBuilder().field("number").order_ascending(), limit=2, offset=offset)
        self.assertEqual(pages, everything)

    def test_end_users_see_only_their_incidents(self) -> None:
        mine = self.abel.resource(api_path="/table/incident")
        callers = {record["caller_id"]["value"] for record in mine.get(query={}).all()}
        abel = self.admin.resource(api_path="/table/sys_user").get(query={"user_name": "abel.tuter"}).one()
        self.assertEqual(callers, {abel["sys_id"]})

    def test_errors_reach_the_client(self) -> None:
        # pysnow raises requests' HTTPError for any non-2xx; the body is ServiceNow's envelope.
        with self.assertRaises(HTTPError) as refused:
            self.abel.resource(api_path="/table/incident").delete(query={"number": "INC0000001"})
        self.assertEqual(refused.exception.response.status_code, 403)
        self.assertEqual(refused.exception.response.json()["status"], "failure")
        host = host_of(self.sandbox.urls["ServiceNow instance"])
        wrong = pysnow.Client(host=host, user="admin", password="wrong", use_ssl=False)
        with self.assertRaises(HTTPError) as unauthenticated:
            wrong.resource(api_path="/table/incident").get(query={}).all()
        self.assertEqual(unauthenticated.exception.response.status_code, 401)
        self.assertEqual(unauthenticated.exception.response.json()["error"]["message"], "User Not Authenticated")


if __name__ == "__main__":
    unittest.main()
