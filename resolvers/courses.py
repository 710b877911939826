"""Reading courses: by program, offering organization, delivery mode or text."""

from dataclasses import dataclass
from enum import StrEnum

import strawberry
from sqlalchemy.sql.elements import ColumnElement

from db.base import table_of
from db.enums import DeliveryMode
from db.tables import Course
from resolvers.codes import eqf_conditions, field_conditions
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.text_search import text_matches

__all__ = ["CourseFilter", "CourseOrder", "CourseOrderField", "course_conditions", "courses_page"]

COURSE = table_of(Course)


@dataclass
class CourseFilter(Modified):
    program: strawberry.ID | None = reference_to("Program")
    organization: strawberry.ID | None = reference_to("Organization")
    delivery: list[DeliveryMode] | None = None
    text: str | None = None
    field_of_study: list[str] | None = None
    eqf_level: list[int] | None = None


class CourseOrderField(StrEnum):
    TITLE = "title"
    CREDITS = "credits"
    CREATED_AT = "created_at"


@dataclass
class CourseOrder:
    field: CourseOrderField = CourseOrderField.TITLE
    direction: SortDirection = SortDirection.ASC


@modifiable(COURSE)
def course_conditions(
    f: CourseFilter | None, *, field: str = "filter"
) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if f.program is not None:
        program_id = decode_id_of(f.program, "Program", field=f"{field}.program")
        conditions.append(COURSE.c.program_id == program_id)
    if f.organization is not None:
        org_id = decode_id_of(f.organization, "Organization", field=f"{field}.organization")
        conditions.append(COURSE.c.organization_id == org_id)
    if f.delivery:
        conditions.append(COURSE.c.delivery.in_([d.value for d in f.delivery]))
    if f.field_of_study:
        conditions += field_conditions(
            COURSE.c.isced_f_code, f.field_of_study, field=f"{field}.fieldOfStudy"
        )
    if f.eqf_level:
        conditions += eqf_conditions(COURSE.c.eqf_level, f.eqf_level, field=f"{field}.eqfLevel")
    if f.text:
        conditions.append(text_matches(COURSE, ("title", "code"), f.text))
    return conditions


async def courses_page(
    ctx: Context,
    *,
    filter: CourseFilter | None,
    order: CourseOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        COURSE,
        where=course_conditions(filter),
        order_by=order_by_field(COURSE, order or CourseOrder()),
        request=request,
    )
