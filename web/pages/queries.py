"""The GraphQL documents the pages send: each view asks the public schema for exactly what it
shows, so what a page can show is what the API answers its token, nothing more."""

__all__ = [
    "ALLIANCE",
    "ALLIANCE_NETWORK",
    "ATTENTION",
    "HOME",
    "ORGANIZATION",
    "VIEWER",
]

VIEWER = "query PagesViewer { viewer { role organization { id name } alliance { id name } } }"

HOME = """
query PagesHome {
  viewer { role organization { id name localName } alliance { id name localName } }
  alliances(first: 50) { nodes { id name localName } }
}
"""

ALLIANCE = """
query PagesAlliance($id: ID!) {
  node(id: $id) {
    __typename
    ... on Alliance {
      id name localName shortName foundedOn foundedPlace description
      memberships(first: 100) {
        totalCount
        nodes { id role joinedOn leftOn organization { id name localName kind country } }
      }
    }
  }
}
"""

ALLIANCE_NETWORK = """
query PagesAllianceNetwork($filter: NetworkFilter!) {
  network(filter: $filter) {
    organizationCount edgeCount
    edges(first: 100) {
      weight
      source { id }
      target { id }
      ties {
        kind label status startsOn endsOn objectId
        agreement { id title status signedOn effectiveFrom effectiveTo }
      }
    }
    betweenness { top(first: 100) { score organization { id } } }
    bridges(first: 100) { source { id } target { id } }
  }
}
"""

ORGANIZATION = """
query PagesOrganization($id: ID!) {
  node(id: $id) {
    __typename
    ... on Organization {
      id name localName shortName kind country region city website rorId description status
      parent { id name }
      units(first: 50) { totalCount nodes { id name localName kind } }
      memberships(first: 20) {
        nodes { role joinedOn leftOn alliance { id name } }
      }
      agreements(first: 50) {
        totalCount
        nodes {
          id title kind status signedOn effectiveFrom effectiveTo
          parties(first: 10) { nodes { role organization { id name } } }
          commitments(first: 20) {
            nodes { id description dueOn deliveredOn status obligor { id name } }
          }
        }
      }
      activities(first: 20) {
        totalCount
        nodes { id kind title heldOn place }
      }
      partners(depth: 2, first: 100) {
        totalCount
        nodes { hops organization { id name kind country } }
      }
    }
  }
}
"""

ATTENTION = """
query PagesAttention($within: Int!) {
  viewer { role }
  expiringAgreements(within: $within, first: 200) {
    effectiveTo daysLeft renewalRule renewalStatus
    agreement { id title status parties(first: 10) { nodes { organization { id name } } } }
  }
  agreements(
    first: 100
    filter: {status: [DRAFT, UNDER_NEGOTIATION, AWAITING_APPROVAL, SIGNED, ACTIVE, SUSPENDED]}
  ) {
    nodes {
      id title
      commitments(first: 50) { nodes { id description dueOn status obligor { id name } } }
    }
  }
  notice: agreements(first: 100, filter: {status: [SIGNED, ACTIVE]}) {
    nodes {
      id title effectiveTo noticePeriodDays noticeDeadline renewalRule
      parties(first: 10) { nodes { organization { id name } } }
    }
  }
  incoming: proposals(first: 100, filter: {statuses: [PENDING], direction: INCOMING}) {
    ...PagesProposals
  }
  outgoing: proposals(first: 100, filter: {statuses: [PENDING], direction: OUTGOING}) {
    ...PagesProposals
  }
}

fragment PagesProposals on ProposalConnection {
  nodes {
    id kind expiresOn createdAt
    subject { name }
    proposedBy { organization { id name } alliance { id name } }
    addressedTo { organization { id name } alliance { id name } }
    organization { id name }
  }
}
"""
