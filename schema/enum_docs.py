"""What every GraphQL enum and each of its values means, for the docs pane and the SDL.

Keyed by the Python class name (`schema.enums` applies them when it makes the classes GraphQL
enums), so `db.enums` and the resolvers' enums stay plain Python. Each entry is the enum's
description and one description per member.
"""

__all__ = ["ENUM_DOCS"]

_SORT_LATEST = "When the record was created in partnergraph."

ENUM_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "OrganizationKind": (
        "What sort of body an organization is.",
        {
            "UNIVERSITY": "A university, college or other higher-education institution.",
            "RESEARCH_INSTITUTE": "A research institute or academy outside a university.",
            "BUSINESS": "A company or other business, e.g. one hosting interns.",
            "GOVERNMENT_BODY": "A ministry, education department or other public authority.",
            "INTERNATIONAL_ORGANIZATION": "A body of several countries, e.g. a UN agency.",
            "OTHER": "Any other body: a foundation, association or school.",
        },
    ),
    "NameField": (
        "A name field that is kept in several languages.",
        {
            "NAME": "`name` (organizations, alliances, programs).",
            "SHORT_NAME": "`shortName` (organizations, alliances).",
            "TITLE": "`title` (courses, agreements).",
            "SHORT_TITLE": "`shortTitle` (agreements).",
        },
    ),
    "DocumentVisibility": (
        "Who may read a document and download its content.",
        {
            "PUBLIC": "Every caller, anonymous ones included.",
            "PARTIES": "Whoever sees the agreement it belongs to (its parties, their "
            "alliance's secretariat, admins).",
            "OWNER": "Only the organization that keeps it (and the organizations it belongs "
            "to) and admins.",
        },
    ),
    "OrganizationStatus": (
        "Whether an organization still takes part in cooperation.",
        {
            "ACTIVE": "Operating and taking part.",
            "INACTIVE": "No longer active (e.g. merged or closed); its history is kept.",
            "WITHDRAWN": "Has withdrawn from cooperation; its history is kept.",
        },
    ),
    "AllianceScope": (
        "How far an alliance reaches.",
        {
            "PROVINCIAL": "Members from one province.",
            "NATIONAL": "Members from across one country.",
            "INTERNATIONAL": "Members from several countries.",
        },
    ),
    "MembershipRole": (
        "An organization's office in an alliance.",
        {
            "CHAIR": "Chairs the alliance (usually one at a time).",
            "VICE_CHAIR": "A vice-chair of the alliance.",
            "DIRECTOR": "A member of the alliance's board of directors.",
            "MEMBER": "An ordinary member.",
            "OBSERVER": "Follows the alliance's work without full membership.",
        },
    ),
    "ProposalKind": (
        "What a proposal would bind the organization it is addressed to.",
        {
            "AGREEMENT_PARTY": "To become a party to an agreement.",
            "MEMBERSHIP": "To join an alliance (an invitation, or a request to join).",
            "PROGRAM_PARTNER": "To become a partner of a program.",
            "ACTIVITY_PARTICIPANT": "To be listed as a participant of an activity.",
        },
    ),
    "ChangeKind": (
        "What a change event says happened to its entity (docs/changes.md).",
        {
            "CREATED": "The entity was made.",
            "UPDATED": "Fields of the entity changed (or a part of it: its modes, identifiers, "
            "target groups, ...); `fields` names them.",
            "DELETED": "The entity was deleted; shown to those who could see it.",
            "STATUS_CHANGED": "Its `status` changed (with any other fields named in `fields`).",
            "SIGNED": "A party signed an agreement, or the agreement became signed by all.",
            "PROPOSAL_MADE": "A proposal was made to bind an organization.",
            "PROPOSAL_ANSWERED": "A pending proposal was accepted or declined.",
            "EXPIRING": "A reminder: the agreement, in force, ends within one of its lead times "
            "(90, 30 and 7 days unless its parties or their alliances set others); once per "
            "lead time and end date.",
            "NOTICE_DEADLINE": "A reminder: the agreement's notice deadline (`noticeDeadline`) "
            "falls within one of its lead times; once per lead time and deadline.",
            "DUE": "A reminder: the open commitment is due within one of its agreement's lead "
            "times; once per lead time and due date.",
            "OVERDUE": "A reminder: the open commitment's due date has passed; once per due date.",
        },
    ),
    "ProposalStatus": (
        "Where a proposal stands.",
        {
            "PENDING": "Waiting for an answer from the side it is addressed to.",
            "ACCEPTED": "Accepted: the link it proposed was made.",
            "DECLINED": "Declined by the side it was addressed to; nothing was made.",
            "WITHDRAWN": "Withdrawn by the side that made it; nothing was made.",
            "LAPSED": "Not answered by its `expiresOn` date; it can no longer be accepted. "
            "Never stored: a pending proposal past that date reads so.",
        },
    ),
    "AgreementKind": (
        "What an agreement is about.",
        {
            "MEMORANDUM_OF_UNDERSTANDING": "A memorandum of understanding: intent to cooperate, "
            "usually without binding commitments.",
            "FRAMEWORK": "A framework agreement under which specific agreements are made.",
            "JOINT_PROGRAM": "Running a program of study or training together.",
            "RESEARCH_COLLABORATION": "Joint research.",
            "INTERNSHIP_AND_TRAINING_BASE": "A host organization takes interns or trainees.",
            "STUDENT_EXCHANGE": "Students study at the other parties for a time.",
            "STAFF_EXCHANGE": "Teachers or staff work at the other parties for a time.",
            "CREDIT_RECOGNITION": "The parties recognise each other's course credits.",
            "RESOURCE_SHARING": "The parties share labs, libraries, platforms or other resources.",
            "FUNDING": "One party funds the others' work.",
            "SINO_FOREIGN_COOPERATIVE_EDUCATION": "Sino-foreign cooperative education: a "
            "Chinese and a foreign institution run a program or institute together, as "
            "approved by the Ministry of Education.",
            "OTHER": "Any other kind of agreement.",
        },
    ),
    "AgreementStatus": (
        "Where an agreement stands in its lifecycle (the transitions are the agreement "
        "mutations). As read, an agreement in force past its end date is `EXPIRED`.",
        {
            "DRAFT": "Being written; may still be deleted.",
            "UNDER_NEGOTIATION": "The parties are negotiating the terms.",
            "AWAITING_APPROVAL": "The terms are final; the parties may sign.",
            "SIGNED": "Every party has signed; not yet in force.",
            "ACTIVE": "In force.",
            "SUSPENDED": "In force but paused; may be resumed.",
            "EXPIRED": "Its period has ended (read so from the end date, without any job).",
            "TERMINATED": "Ended early by the parties, or abandoned before signing.",
            "SUPERSEDED": "Replaced by its renewal, which is now in force.",
        },
    ),
    "PartyRole": (
        "What a party does under an agreement.",
        {
            "LEAD": "Leads the cooperation.",
            "PARTNER": "An equal partner.",
            "FUNDER": "Provides money.",
            "HOST": "Hosts people or activities, e.g. interns or exchange students.",
            "APPROVER": "Approves the agreement (e.g. an education authority) without taking "
            "part in the work.",
        },
    ),
    "RenewalRule": (
        "What happens when an agreement's period ends.",
        {
            "NONE": "It ends; no renewal is foreseen.",
            "MANUAL": "It may be renewed, by hand (`renewAgreement`).",
            "AUTOMATIC": "It renews itself for its renewal term unless a party ends it.",
        },
    ),
    "CollaborationMode": (
        "A form the cooperation under an agreement takes; an agreement has any number.",
        {
            "CREDIT_RECOGNITION": "Recognising each other's course credits.",
            "VOCATIONAL_TRAINING": "Vocational or skills training.",
            "MICRO_SPECIALTY": "A micro-specialty (a short, focused program of a few courses).",
            "JOINT_COURSE_DEVELOPMENT": "Developing courses together.",
            "SHARED_FACULTY": "Teachers teaching at the other parties.",
            "STUDENT_EXCHANGE": "Exchanging students.",
            "STAFF_EXCHANGE": "Exchanging teachers or staff.",
            "JOINT_RESEARCH": "Doing research together.",
            "INTERNSHIP_BASE": "Placing interns at a host.",
            "RESOURCE_SHARING": "Sharing labs, libraries, platforms or other resources.",
            "JOINT_DEGREE": "Awarding a joint or double degree.",
            "FUNDING": "Funding the cooperation.",
            "CUSTOMISED_TALENT_CULTIVATION": "Designing courses and teaching with a business "
            "for its needs, the business taking part in teaching and evaluation.",
            "RESULTS_CONVERSION": "Converting research results into practice with industry "
            "(industry-university-research cooperation).",
            "EMPLOYMENT_SERVICES": "Employment services and guidance for students: career "
            "planning and job fairs.",
            "OTHER": "Any other form.",
        },
    ),
    "ApprovalDecision": (
        "What an approver decided.",
        {
            "APPROVED": "Approved as it stands.",
            "REJECTED": "Refused.",
            "CONDITIONAL": "Approved on the conditions stated in `conditions`.",
        },
    ),
    "CommitmentStatus": (
        "Where a commitment stands, as stored (read it as `CommitmentState`, which adds "
        "`OVERDUE`).",
        {
            "OPEN": "Not yet delivered.",
            "DELIVERED": "Delivered (`deliverCommitment`).",
            "WAIVED": "Released by the parties (`waiveCommitment`).",
        },
    ),
    "CommitmentState": (
        "Where a commitment stands as read: the stored status, with `OVERDUE` for an open one "
        "past its due date.",
        {
            "OPEN": "Not yet delivered, and not past its due date (or it has none).",
            "OVERDUE": "Not yet delivered, and its due date has passed.",
            "DELIVERED": "Delivered.",
            "WAIVED": "Released by the parties.",
        },
    ),
    "ProgramKind": (
        "What sort of program a program is.",
        {
            "MICRO_MAJOR": "A micro-major: a small set of courses in one field, beside a degree.",
            "MICRO_COURSE": "A single short course.",
            "JOINT_DEGREE": "A joint or double degree program.",
            "VOCATIONAL_TRAINING": "Vocational or skills training.",
            "LIFELONG_LEARNING": "Learning for adults outside a degree.",
            "EXCHANGE": "An exchange of students or staff.",
            "JOINT_LAB": "A laboratory run together.",
            "RESEARCH_PROJECT": "A research project.",
        },
    ),
    "ProgramCategory": (
        "The subject area of a program, mostly of lifelong learning.",
        {
            "SCIENTIFIC_LITERACY": "Science for the general public.",
            "WORKPLACE_SKILLS": "Skills for work.",
            "CULTURAL_LITERACY": "Culture, history and the arts.",
            "HOBBIES_AND_INTERESTS": "Leisure and personal interests.",
            "CONTINUING_EDUCATION": "Further qualifications for working adults.",
            "SILVER_AGE_EDUCATION": "Education for older people.",
        },
    ),
    "ProgramStatus": (
        "Where a program stands.",
        {
            "PLANNED": "Planned; not yet open for enrolment.",
            "OPEN": "Open for enrolment.",
            "RUNNING": "Under way.",
            "COMPLETED": "Finished.",
            "CANCELLED": "Cancelled before it finished.",
        },
    ),
    "DeliveryMode": (
        "How a program or course is taught.",
        {
            "ONLINE": "Online only.",
            "OFFLINE": "In person only.",
            "BLENDED": "Partly online, partly in person.",
        },
    ),
    "TargetLearnerGroup": (
        "Whom a program is meant for.",
        {
            "STUDENTS": "Students of the partner institutions.",
            "MIGRANT_WORKERS": "Workers who moved from the countryside to cities.",
            "RURAL_TEACHERS": "Teachers in rural schools.",
            "SENIOR_CITIZENS": "Older people.",
            "EMPLOYEES": "Employees of businesses or public bodies.",
            "GENERAL_PUBLIC": "Anyone.",
        },
    ),
    "EnrolmentStatus": (
        "Where a learner's enrolment in a program stands.",
        {
            "ENROLLED": "Enrolled and learning.",
            "COMPLETED": "Finished the program.",
            "WITHDRAWN": "Left before finishing.",
        },
    ),
    "CreditEntryKind": (
        "What a line of a learner's credit ledger records.",
        {
            "EARNED": "Credits earned in a course the learner was enrolled for (the course's "
            "own credits).",
            "RECOGNISED": "Credits recognised at another organization under a rule, by an "
            "approved application (the source credits times the rule's ratio, within its cap).",
            "EXPIRED": "An earned, recognised or converted-in entry's remaining credits taken "
            "back, once.",
            "CORRECTED": "A correction of an earned, recognised or converted-in entry, with its "
            "reason (never above what the entry gave, never below zero).",
            "CONVERTED": "Half of a conversion between credit units: negative, the credits "
            "taken out of an entry (in its unit); positive, the converted credits put in (in "
            "the new unit, at the units' ECTS values, never more than was taken out).",
        },
    ),
    "ApplicationStatus": (
        "Where a recognition application stands.",
        {
            "SUBMITTED": "Waiting for the receiving organization's decision.",
            "APPROVED": "Approved: the recognised credits are in the ledger.",
            "REJECTED": "Rejected, with the reason given.",
            "WITHDRAWN": "Taken back by the learner's organization before a decision.",
        },
    ),
    "ResourceKind": (
        "What sort of resource an organization shares.",
        {
            "LAB": "A laboratory.",
            "EQUIPMENT": "Equipment or instruments.",
            "LIBRARY": "A library or its collections.",
            "ONLINE_COURSE": "An online course others' learners may take.",
            "DATASET": "A data set.",
            "FACULTY_TIME": "Teachers' or researchers' time.",
            "FUNDING": "Money set aside for partners.",
            "TRAINING_BASE": "A place for practical training or internships.",
            "PLATFORM": "A digital platform or shared service.",
        },
    ),
    "ActivityKind": (
        "What sort of event an activity is.",
        {
            "MEETING": "A meeting, e.g. of an alliance's board.",
            "EXCHANGE_VISIT": "A delegation's visit to a partner.",
            "CONFERENCE": "A conference or forum.",
            "SIGNING_CEREMONY": "A ceremony where agreements are signed.",
            "INAUGURATION": "The opening of an alliance, institute, lab or program.",
            "OTHER": "Any other event.",
        },
    ),
    "EvaluationIndicator": (
        "What an evaluation measure counts.",
        {
            "ENROLMENTS": "Learners enrolled (a count).",
            "CREDITS_RECOGNISED": "Course credits recognised by a partner (in credits).",
            "INTERNSHIPS_PLACED": "Interns placed with hosts (a count).",
            "FUNDS_SPENT": "Money spent (in the currency of the funding evaluated).",
            "PUBLICATIONS": "Papers and other publications (a count).",
        },
    ),
    "IndicatorDirection": (
        "Which way an indicator improves.",
        {
            "HIGHER_IS_BETTER": "A value at or above the target meets it (learners, credits).",
            "LOWER_IS_BETTER": "A value at or below the target meets it (dropouts, cost).",
        },
    ),
    "IndicatorComputation": (
        "How an indicator's value for a period is found.",
        {
            "MANUAL": "Entered by hand: the values recorded in evaluations whose period ends "
            "in it, summed (`recordIndicatorValue`).",
            "AGREEMENTS_SIGNED": "Agreements signed in the period: with a party that is a "
            "member of the alliance (or a unit of one); the program's agreement and those "
            "implementing it.",
            "CREDITS_RECOGNISED": "Credits of the ledger's recognised entries recorded in the "
            "period: at a member of the alliance (or a unit of one); under a rule recognising "
            "into the program.",
            "ENROLMENTS": "Enrolments in the period: in the program; in the programs a member "
            "of the alliance is a partner of.",
            "ACTIVITIES": "Activities held in the period: the alliance's; those concerning "
            "the program.",
            "PARTICIPANTS": "Participations in those activities.",
        },
    ),
    "FieldLevel": (
        "The level of an ISCED-F 2013 field of education and training.",
        {
            "BROAD": "A broad field: two digits (`02` Arts and humanities).",
            "NARROW": "A narrow field: three digits (`021` Arts).",
            "DETAILED": "A detailed field: four digits (`0213` Fine arts).",
        },
    ),
    "MobilityType": (
        "The kind of an EWP cooperation condition: who moves, and to do what.",
        {
            "STUDENT_STUDIES": "Students, for studies (EWP `student-studies-mobility-spec`).",
            "STUDENT_TRAINEESHIP": "Students, for traineeships "
            "(`student-traineeship-mobility-spec`).",
            "STAFF_TEACHING": "Staff, to teach (`staff-teacher-mobility-spec`).",
            "STAFF_TRAINING": "Staff, for training (`staff-training-mobility-spec`).",
        },
    ),
    "TokenRole": (
        "What an API token may see and change (see the access rules in docs/access.md).",
        {
            "ADMIN": "Sees and changes everything, API tokens included.",
            "SECRETARIAT": "An alliance's secretariat: public profiles, the agreements of its "
            "current members and the alliance's activities; changes its alliance's roles, "
            "leavings and activities.",
            "EDITOR": "An organization's editor: public profiles, what its organization or a "
            "unit takes part in, its own people and learners; changes its own records.",
            "VIEWER": "Sees what an editor of its organization sees; changes nothing.",
            "REPORTER": "A reporting tool: public profiles and report figures over every "
            "agreement, but no agreement rows; changes nothing.",
        },
    ),
    "TieKind": (
        "What binds two organizations: a shared agreement, alliance or program, or one being a "
        "unit of the other.",
        {
            "AGREEMENT": "Both are parties to an agreement.",
            "ALLIANCE": "Both are members of an alliance.",
            "PROGRAM": "Both are partners of a program.",
            "UNIT": "One is a unit (a school, faculty or campus) of the other.",
        },
    ),
    "Dimension": (
        "What a summary groups agreements by. An agreement counts once in each group it "
        "belongs to, so for a party, institution, alliance or program dimension the groups may "
        "add up to "
        "more than the total.",
        {
            "AGREEMENT_KIND": "The agreement's kind (`AgreementKind`, in lower case).",
            "STATUS": "The agreement's status as read (on `asOf` when given), in lower case.",
            "PARTY_KIND": "The kind of each party.",
            "PARTY_COUNTRY": "The country of each party (ISO 3166-1 alpha-2).",
            "PARTY_REGION": "The region (province or state) of each party.",
            "INSTITUTION": "The top-level institution of each party: the party itself, or the "
            "organization its unit tree ends at (Jiangsu Open University for its School of "
            "Art); the value is that organization's global ID, the label its name.",
            "ALLIANCE": "Each alliance a party belongs to (on `asOf` when given); the value is "
            "the alliance's global ID.",
            "SIGNED_YEAR": "The year the agreement was signed; null when unsigned.",
            "SIGNED_QUARTER": "The quarter the agreement was signed (`2025-Q4`); null when "
            "unsigned.",
            "START_YEAR": "The year the agreement takes effect.",
            "START_QUARTER": "The quarter the agreement takes effect (`2025-Q4`).",
            "PROGRAM_KIND": "The kind of each program run under the agreement.",
            "PROGRAM_CATEGORY": "The category of each program run under the agreement.",
        },
    ),
    "Interval": (
        "The length of each period of a trend.",
        {
            "YEAR": "Calendar years.",
            "QUARTER": "Calendar quarters (January to March, ...).",
            "MONTH": "Calendar months.",
        },
    ),
    "RenewalStatus": (
        "Where an expiring agreement's renewal stands, for the secretariat's reminders.",
        {
            "RENEWED": "A successor is signed or in force.",
            "IN_PROGRESS": "A successor is being drafted, negotiated or approved.",
            "AUTOMATIC": "No successor yet, but the agreement renews itself.",
            "DUE": "No successor, and renewal is by hand: someone must act.",
            "NOT_RENEWABLE": "The agreement's renewal rule is `NONE`: it simply ends.",
        },
    ),
    "ProposalDirection": (
        "Which proposals to list, seen from the caller's organization.",
        {
            "INCOMING": "Those addressed to the caller's side, to answer.",
            "OUTGOING": "Those the caller's side made.",
            "ANY": "Both.",
        },
    ),
    "SortDirection": (
        "Which way a list is sorted.",
        {
            "ASC": "Smallest, earliest or A first.",
            "DESC": "Largest, latest or Z first.",
        },
    ),
    "ActivityOrderField": (
        "What activities are sorted by.",
        {
            "HELD_ON": "The day the activity was held.",
            "TITLE": "The title, alphabetically.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "AgreementOrderField": (
        "What agreements are sorted by.",
        {
            "TITLE": "The title, alphabetically.",
            "SIGNED_ON": "The signing date.",
            "EFFECTIVE_FROM": "The day the agreement takes effect.",
            "EFFECTIVE_TO": "The day the agreement ends.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "AllianceOrderField": (
        "What alliances are sorted by.",
        {
            "NAME": "The name, alphabetically.",
            "FOUNDED_ON": "The founding date.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "CourseOrderField": (
        "What courses are sorted by.",
        {
            "TITLE": "The title, alphabetically.",
            "CREDITS": "The credits a course carries.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "EvaluationOrderField": (
        "What evaluations are sorted by.",
        {
            "PERIOD_END": "The last day of the period evaluated.",
            "SCORE": "The overall score (0 to 100).",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "OrganizationOrderField": (
        "What organizations are sorted by.",
        {
            "NAME": "The English name, alphabetically.",
            "COUNTRY": "The country code.",
            "KIND": "The kind of organization.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "PersonOrderField": (
        "What people are sorted by.",
        {
            "NAME": "The name, alphabetically.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "ProgramOrderField": (
        "What programs are sorted by.",
        {
            "NAME": "The name, alphabetically.",
            "STARTS_ON": "The day the program starts.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
    "ResourceOrderField": (
        "What resources are sorted by.",
        {
            "NAME": "The name, alphabetically.",
            "KIND": "The kind of resource.",
            "CREATED_AT": _SORT_LATEST,
        },
    ),
}
