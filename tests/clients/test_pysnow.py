"""pysnow (https://pypi.org/project/pysnow/), a real ServiceNow client, against the sandbox:
CRUD, its query builder's operators, ordering and paging."""
import unittest

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
        records = {
            record["number"]: record
            for record in self.incidents.get(query={}, fields=["number", "state", "short_description", "assigned_to", "priority"]).all()
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
        for name, built in cases.items():
            with self.subTest(operator=name, query=str(built)):
                try:
                    actual = sorted(self.numbers(built))
                except NoResults:
                    actual = []
                want = sorted(number for number, record in records.items() if expected[name](record))
                self.assertEqual(actual, want)
                self.assertNotEqual(want, [], "each case should select something")

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
