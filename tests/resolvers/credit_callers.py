"""The callers and demo records of the credit bank's API tests: an admin, the editor of Jiangsu
Open University (the bank, and above the School of Art), the editor of the School of Lifelong
Education (the demo learner's home), and an editor of an uninvolved university."""

from dataclasses import dataclass

import httpx

from tests.graphql import mutate, query, user_errors

__all__ = ["Bank", "errors", "find_ids", "mutate", "new_learner"]


@dataclass
class Bank:
    admin: httpx.AsyncClient
    jou: httpx.AsyncClient
    lle: httpx.AsyncClient
    tsinghua: httpx.AsyncClient
    ids: dict[str, str]


errors = user_errors


FIND = """{
  lle: organizations(first: 3, filter: {text: "School of Lifelong Education"}) { nodes { id name
    learners(first: 3) { nodes { id name accounts(first: 3) { nodes { id
      outcomes(first: 5) { nodes { id title } } } } } } } }
  art: organizations(filter: {text: "School of Art"}) { nodes { id name } }
  jou: organizations(filter: {text: "Jiangsu Open University"}) { nodes { id name } }
  micro: programs(filter: {text: "Micro-specialties"}) { nodes { id } }
  art_course: courses(filter: {text: "community education"}) { nodes { id } }
  lle_course: courses(filter: {text: "community learning services"}) { nodes { id } }
  agreements(first: 2, filter: {text: "social education"}) { nodes { id version
    recognitionRules(first: 5) { nodes { id fromOrganization { name }
      applications(first: 5) { nodes { id version status } } } } } }
}"""


async def find_ids(admin: httpx.AsyncClient) -> dict[str, str]:
    data = await query(admin, FIND)
    [lle] = [o for o in data["lle"]["nodes"] if o["name"] == "School of Lifelong Education"]
    [learner] = lle["learners"]["nodes"]
    [account] = learner["accounts"]["nodes"]
    outcomes = {o["title"]: o["id"] for o in account["outcomes"]["nodes"]}
    [agreement] = data["agreements"]["nodes"]
    rules = {r["fromOrganization"]["name"]: r for r in agreement["recognitionRules"]["nodes"]}
    [pending] = [
        a
        for a in rules["School of Lifelong Education"]["applications"]["nodes"]
        if a["status"] == "SUBMITTED"
    ]
    return {
        "lle": lle["id"],
        "art": next(o["id"] for o in data["art"]["nodes"] if o["name"] == "School of Art"),
        "jou": next(
            o["id"] for o in data["jou"]["nodes"] if o["name"] == "Jiangsu Open University"
        ),
        "learner": learner["id"],
        "account": account["id"],
        "art outcome": next(v for k, v in outcomes.items() if "community education" in k),
        "lle outcome": next(v for k, v in outcomes.items() if "learning services" in k),
        "agreement": agreement["id"],
        "agreement version": str(agreement["version"]),
        "art rule": rules["School of Art"]["id"],
        "lle rule": rules["School of Lifelong Education"]["id"],
        "pending": pending["id"],
        "pending version": str(pending["version"]),
        "micro": data["micro"]["nodes"][0]["id"],
        "art course": data["art_course"]["nodes"][0]["id"],
        "lle course": data["lle_course"]["nodes"][0]["id"],
    }


async def new_learner(bank: Bank) -> dict[str, str]:
    """A learner of the School of Lifelong Education, enrolled in the micro-major, with an
    account at Jiangsu Open University's bank (made by the admin)."""
    ids = bank.ids
    learner = await mutate(
        bank.admin,
        "createLearner",
        {"name": "Test learner", "homeOrganization": ids["lle"]},
        "learner { id }",
    )
    key = learner["learner"]["id"]
    account = await mutate(
        bank.admin,
        "createCreditAccount",
        {"learner": key, "bank": ids["jou"]},
        "creditAccount { id }",
    )
    await mutate(
        bank.admin,
        "createEnrolment",
        {"learner": key, "program": ids["micro"], "enrolledOn": "2026-02-01"},
        "enrolment { id }",
    )
    return {"learner": key, "account": account["creditAccount"]["id"]}
