"""zenpy (https://pypi.org/project/zenpy/), a real Zendesk client, against the sandbox's Zendesk
account: ticket CRUD, comments, bulk jobs, search and both kinds of paging, users with their custom
roles and organizations, and the search export."""
import os
import unittest

from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, User
from zenpy.lib.exception import APIException, RecordNotFoundException

from sandbox import Sandbox, host_of


class ZenpyAgainstSandbox(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.sandbox = Sandbox("--servicenow", "127.0.0.1:0", "--zendesk", "127.0.0.1:0")
        # zenpy builds https://<subdomain>.zendesk.com; these documented overrides point it here.
        os.environ["ZENPY_FORCE_SCHEME"] = "http"
        os.environ["ZENPY_FORCE_NETLOC"] = host_of(cls.sandbox.urls["Zendesk account"])
        cls.admin = Zenpy(subdomain="sandbox", email="admin@example.com", token="sandbox-token")
        cls.user = Zenpy(subdomain="sandbox", email="user@example.com", token="sandbox-token")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sandbox.stop()
        del os.environ["ZENPY_FORCE_SCHEME"], os.environ["ZENPY_FORCE_NETLOC"]

    def test_ticket_create_show_update_comment_delete(self) -> None:
        audit = self.admin.tickets.create(
            Ticket(subject="Printer on fire", description="Smoke from tray 2", priority="high")
        )
        ticket = audit.ticket
        self.assertEqual((ticket.subject, ticket.priority, ticket.status), ("Printer on fire", "high", "new"))

        shown = self.admin.tickets(id=ticket.id)
        self.assertEqual(shown.subject, "Printer on fire")

        shown.status = "open"
        shown.comment = Comment(body="Facilities are on their way", public=False)
        self.admin.tickets.update(shown)
        self.assertEqual(self.admin.tickets(id=ticket.id).status, "open")
        comments = list(self.admin.tickets.comments(ticket=ticket.id))
        self.assertEqual([(c.body, c.public) for c in comments], [("Smoke from tray 2", True), ("Facilities are on their way", False)])

        self.admin.tickets.delete(shown)
        with self.assertRaises(RecordNotFoundException):
            self.admin.tickets(id=ticket.id)

    def test_show_many_and_bulk_jobs(self) -> None:
        job = self.admin.tickets.create([Ticket(subject=f"Bulk {n}", description="made in bulk") for n in range(3)])
        self.assertIn(job.status, ("queued", "working", "completed"))
        job = self.finished(job)
        ids = [result.id for result in job.results]
        self.assertEqual(len(ids), 3)
        shown = list(self.admin.tickets(ids=ids))
        self.assertEqual(sorted(t.subject for t in shown), ["Bulk 0", "Bulk 1", "Bulk 2"])
        deleted = self.finished(self.admin.tickets.delete(shown))
        self.assertEqual(deleted.status, "completed")
        self.assertEqual(list(self.admin.tickets(ids=ids)), [])

    def finished(self, job):
        """Polls a bulk job, as clients must (job_statuses), until it is done; bounded."""
        for _ in range(50):
            if job.status in ("completed", "failed", "killed"):
                return job
            job = self.admin.job_status(id=job.id)
        self.fail(f"job {job.id} stayed {job.status}")

    def test_search(self) -> None:
        self.admin.tickets.create(Ticket(subject="Keyboard missing keys", description="the Q key", priority="low"))
        found = list(self.admin.search("keyboard", type="ticket"))
        self.assertIn("Keyboard missing keys", [t.subject for t in found])
        low = list(self.admin.search(type="ticket", priority="low"))
        self.assertTrue(low and all(t.priority == "low" for t in low), [t.priority for t in low])
        solved = list(self.admin.search(type="ticket", status="solved"))
        self.assertTrue(solved and all(t.status == "solved" for t in solved))

    def test_offset_and_cursor_paging_agree(self) -> None:
        for n in range(5):
            self.admin.tickets.create(Ticket(subject=f"Paging {n}", description="x"))
        by_offset = [t.id for t in self.admin.tickets()]
        by_cursor = [t.id for t in self.admin.tickets(cursor_pagination=2)]
        self.assertGreater(len(by_offset), 5)
        self.assertEqual(sorted(by_offset), sorted(by_cursor))
        self.assertEqual(len(set(by_cursor)), len(by_cursor), "no ticket twice")

    def test_users_roles_and_search_export(self) -> None:
        created = self.admin.users.create(User(name="Zed Zenpy", email="zed@example.com"))
        self.assertEqual((created.role, created.verified), ("end-user", False))
        me = self.admin.users.me()
        # zenpy follows custom_role_id and organization_id lazily, as in the recordings.
        self.assertEqual((me.custom_role.name, me.organization.name), ("Admin", "Example Inc."))
        exported = [user.id for user in self.admin.search_export(type="user", email="zed@example.com")]
        self.assertEqual(exported, [created.id])
        self.assertFalse(self.admin.users.delete(created).active)
        self.assertFalse(self.admin.users(id=created.id).active)

    def test_end_users_and_errors(self) -> None:
        me = self.user.users.me()
        self.assertEqual(me.email, "user@example.com")
        # End users file through /requests; the tickets endpoint is for agents.
        with self.assertRaises(APIException) as forbidden:
            self.user.tickets.create(Ticket(subject="My laptop is slow", description="since Monday"))
        self.assertEqual(forbidden.exception.response.status_code, 403)
        with self.assertRaises(RecordNotFoundException):
            self.admin.tickets(id=999999)
        wrong = Zenpy(subdomain="sandbox", email="admin@example.com", token="wrong")
        with self.assertRaises(APIException) as refused:
            wrong.users.me()
        self.assertEqual(refused.exception.response.status_code, 401)


if __name__ == "__main__":
    unittest.main()
