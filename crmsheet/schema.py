"""The recommended CRM fields: names, types, header synonyms and constraints, in one place.

The pydantic models below are the single source of truth. Everything else is derived from
them: the header mapper reads each field's ``headers``, the vectorised validator reads each
field's ``kind`` and numeric bounds, the templates read each field's help (``what`` to type,
``why`` it matters). A clean row produced by :func:`crmsheet.read` validates against its
model.

Why these fields: a small business's customer list earns its keep when it can answer who
its best customers are (rating, revenue), where they came from (source, campaign,
referred_by), how dependent it is on one group (parent_organization), and whom to call
(the key dates). Columns of the user's own are carried through untouched (``extra="allow"``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .choices import (
    CUSTOMER_TYPES,
    SOURCES,
    SUPPORT_TIERS,
    TRANSACTION_KINDS,
    TRANSACTION_STATUSES,
)

__all__ = [
    "KINDS",
    "ROLES",
    "Customer",
    "FieldSpec",
    "MarketingSpend",
    "Role",
    "SupportCase",
    "Transaction",
    "field_specs",
    "normalise_header",
]

#: How a field's cells are read (see :mod:`crmsheet.parse`).
Kind = Literal[
    "id", "text", "choice", "money", "number", "count", "percent", "date", "employees",
    "email", "phone", "rating", "country",
]  # fmt: skip
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

Role = Literal["customers", "transactions", "spend", "support"]
ROLES: tuple[Role, ...] = ("customers", "transactions", "spend", "support")


def crm_field(
    kind: Kind,
    headers: tuple[str, ...] = (),
    doc: str = "",
    *,
    what: str = "",
    why: str = "",
    choices: dict[str, tuple[str, ...]] | None = None,
    default: Any = None,
    **constraints: Any,
) -> Any:
    """A pydantic ``Field`` carrying the reading rules crmsheet derives everything from.

    ``doc`` says what the field is (docs/fields.md); ``what`` and ``why`` are the templates'
    help: what to type in the column (its input message, 255 characters at most) and why
    it matters (the How to use sheet).
    """
    extra: dict[str, Any] = {"kind": kind, "headers": list(headers), "what": what, "why": why}
    if choices is not None:
        extra["choices"] = {k: list(v) for k, v in choices.items()}
    return Field(default=default, description=doc, json_schema_extra=extra, **constraints)


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, frozen=True)


class Customer(_Row):
    """One customer, prospect or other organisation on the customer sheet."""

    customer_id: str | None = crm_field(
        "id",
        ("customer id", "customer no", "customer number", "customer code", "customer ref",
         "cust id", "cust no", "custid", "client id", "client no", "client number",
         "client code", "account id", "account no", "account number", "account code",
         "acct no", "partner id", "business partner id", "id", "no", "number", "ref",
         "reference", "code", "username"),
        "Your own identifier for the customer; used to link invoices and referrals.",
        what="Your own number or code for the customer, e.g. C001. Give each customer a "
        "different one.",
        why="Links sales, support cases and referrals to the right customer, even when "
        "two names look alike.",
    )  # fmt: skip
    name: str | None = crm_field(
        "text",
        ("name", "customer", "customer name", "display name", "company", "company name",
         "client",
         "client name", "account", "account name", "business", "business name",
         "organisation", "organization", "organisation name", "organization name",
         "trading name", "legal name", "full name"),
        "The customer's name as you know it.",
        what="The customer's name as you know it.",
        why="Only an ID or a name is needed on each row: fill in the rest when you know it.",
    )  # fmt: skip
    industry: str | None = crm_field(
        "text",
        ("industry", "sector", "business type", "type of business", "vertical", "trade",
         "line of business", "category", "segment", "sic description", "biz type",
         "kind of business", "type of biz"),
        "What the customer does; shows your reliance on (or opportunities in) a segment.",
        what="Pick from the list, or type your own (e.g. Bakery).",
        why="Shows how much you rely on one kind of customer, and where there is room to grow.",
    )  # fmt: skip
    employees: str | None = crm_field(
        "employees",
        ("employees", "no of employees", "number of employees", "employee count",
         "headcount", "staff", "staff count", "no employees", "num employees", "size",
         "company size", "employees range"),
        "Number of employees, or a range such as 50-99 or 1,000+.",
        what="How many people work there: a number, or a range such as 10-49 or 1,000+.",
        why="Bigger customers buy and need differently; crmsheet works out the size band.",
    )  # fmt: skip
    size_band: str | None = crm_field(
        "text",
        ("size band", "size class", "size category", "company size band", "sme class"),
        "micro (1-9), small (10-49), medium (50-249) or large (250+); derived from employees.",
        what="micro (1-9 staff), small (10-49), medium (50-249) or large (250+). Leave "
        "blank when you fill in Employees.",
        why="Groups customers by size when you know roughly how big they are.",
    )  # fmt: skip
    market: str | None = crm_field(
        "text",
        ("market", "region", "territory", "area", "state", "city", "location",
         "sales region", "sales territory", "geography"),
        "Where the customer is, or which market it belongs to, as you write it (without "
        "such a column, the country as you wrote it).",
        what="Where the customer is, or which market: a town, region or country.",
        why="Shows which areas bring in your business.",
    )  # fmt: skip
    country: str | None = crm_field(
        "country",
        ("country", "billing country", "country name", "country code", "country region",
         "nation", "country iso", "iso country", "mailing country"),
        "The customer's country, read as its ISO 3166 two-letter code (United Kingdom, UK "
        "and GB are GB); phones written without +country code are read in it.",
        what="The customer's country: its name (United Kingdom) or two-letter code (GB).",
        why="Phone numbers are read as numbers of that country, and your markets are "
        "counted by country when you keep no Market column.",
    )  # fmt: skip
    type: str | None = crm_field(
        "choice",
        ("type", "customer type", "account type", "client type", "relationship", "status",
         "category type", "stage", "relationship type"),
        "prospect, customer, former customer, partner, reseller, supplier, ...",
        choices=CUSTOMER_TYPES,
        what="Prospect, Active customer, Former customer, Partner, Supplier... Pick from the list.",
        why="Keeps prospects and suppliers apart from the customers who pay you.",
    )  # fmt: skip
    source: str | None = crm_field(
        "choice",
        ("source", "lead source", "customer source", "how did you hear", "how found",
         "how did they find us", "channel", "acquisition channel", "origin", "found us via",
         "marketing source", "referral source", "how did they hear about us",
         "how did you hear about us", "heard about us",
         "hear about us", "how they found us", "how did you find us"),
        "How the customer found you: referral, campaign, web, phone, email, event, walk-in, ...",
        choices=SOURCES,
        what="How they found you: Referral, Campaign, Web, Phone, Email, Event, Walk-in, "
        "Partner or Other. Pick from the list.",
        why="Together with your marketing spend, shows which way of finding customers "
        "pays back best, so you spend where it works.",
    )  # fmt: skip
    campaign: str | None = crm_field(
        "text",
        ("campaign", "campaign name", "marketing campaign", "promotion", "promo code"),
        "Which marketing campaign brought the customer in.",
        what="The campaign that brought them in, e.g. Spring flyer. Write it the same way "
        "as on the Marketing Spend sheet.",
        why="Measures each campaign, not only each channel.",
    )  # fmt: skip
    referred_by: str | None = crm_field(
        "text",
        ("referred by", "referrer", "referral", "referred from", "introduced by",
         "recommended by", "referring customer", "referring client"),
        "The customer or associate who referred them (an ID or a name).",
        what="Who sent them to you: a customer (pick their ID or name) or another person.",
        why="Shows who sends you business, so you can thank them and look after them.",
    )  # fmt: skip
    parent_organization: str | None = crm_field(
        "text",
        ("parent organization", "parent organisation", "parent", "parent company",
         "parent account", "member of", "group", "related company", "related companies",
         "holding", "holding company", "head office", "ultimate parent", "owner company",
         "parent id", "parent account id"),
        "The group the customer belongs to (an ID or a name); shows concentration risk.",
        what="The group or head office this customer belongs to (its ID or name).",
        why="Adds up sales per group, and warns when too much of your business depends on"
        " one group.",
    )  # fmt: skip
    first_transaction: date | None = crm_field(
        "date",
        ("first transaction", "first purchase", "first order", "first sale",
         "first invoice", "customer since", "since", "start date", "date acquired",
         "acquired", "first transaction date", "first purchase date", "date added",
         "created", "created date", "date created", "opened", "client since",
         "member since", "created at", "created time"),
        "Date of the first purchase.",
        what="Date of their first purchase, e.g. 2026-03-31. Not needed when you list "
        "their sales on Transactions.",
        why="Tells new customers from long-standing ones.",
    )  # fmt: skip
    last_transaction: date | None = crm_field(
        "date",
        ("last transaction", "latest transaction", "last purchase", "last order",
         "last sale", "last invoice", "most recent purchase", "last transaction date",
         "last purchase date", "last order date", "latest purchase", "last bought"),
        "Date of the most recent purchase.",
        what="Date of their latest purchase. Not needed when you list their sales on Transactions.",
        why="Finds customers who have not bought for a while, so you can call them before"
        " they are gone, and those who just did, to thank them.",
    )  # fmt: skip
    next_follow_up: date | None = crm_field(
        "date",
        ("next follow up", "follow up", "follow up date", "next contact", "next call",
         "next contact date", "next action date", "callback", "call back", "next followup",
         "followup", "next step date", "next touch"),
        "When you plan to contact them next.",
        what="When you plan to contact them next, e.g. 2026-04-15.",
        why="Lists follow-ups that are overdue or due soon, so nobody is forgotten.",
    )  # fmt: skip
    rating: str | None = crm_field(
        "rating",
        ("rating", "abc", "abc rating", "abc class", "class", "customer rating", "grade",
         "tier", "priority", "account rating", "customer class"),
        "A, B or C as the sheet has it now.",
        what="A, B or C as you see them today (A = your best customers). Optional.",
        why="Customers are not all equal: crmsheet works out A/B/C from sales and "
        "support, and shows where it differs from yours.",
    )  # fmt: skip
    rating_override: str | None = crm_field(
        "rating",
        ("rating override", "manual rating", "override", "rating manual", "fixed rating",
         "rating set by hand"),
        "A, B or C set by hand; wins over the computed rating.",
        what="A, B or C to fix the rating yourself; leave blank to let crmsheet decide.",
        why="For a customer you know better than the numbers do, e.g. a new key account.",
    )  # fmt: skip
    support_tier: str | None = crm_field(
        "choice",
        ("support tier", "support level", "support plan", "service level", "sla",
         "support package", "support contract", "plan"),
        "base or premium: the support the customer pays for.",
        choices=SUPPORT_TIERS,
        what="Base or Premium: the support the customer pays for.",
        why="A customer who pays for base support but asks for premium support is rated "
        "one step down.",
    )  # fmt: skip
    revenue: float | None = crm_field(
        "money",
        ("revenue", "total revenue", "sales", "total sales", "lifetime value", "ltv",
         "total spent", "total spend", "turnover", "sales ytd", "total billed",
         "total invoiced", "amount", "value"),
        "Revenue from the customer, when the sheet carries a total and no invoices.",
    )  # fmt: skip
    transactions: int | None = crm_field(
        "count",
        ("transactions", "orders", "no of orders", "number of orders", "order count",
         "purchases", "number of purchases", "invoices", "no of invoices", "visits"),
        "Number of purchases, when the sheet carries a count and no invoices.",
        ge=0,
    )  # fmt: skip
    support_cases: int | None = crm_field(
        "count",
        ("support cases", "support tickets", "tickets", "cases", "support requests",
         "complaints", "issues"),
        "Support cases raised, when the sheet carries a count and no support log.",
        ge=0,
    )  # fmt: skip
    email: str | None = crm_field(
        "email",
        ("email", "e mail", "email address", "e mail address", "mail", "contact email",
         "email id"),
        "Email address for follow-ups.",
        what="Email address, for follow-ups.",
        why="So you can reach them when a follow-up is due.",
    )  # fmt: skip
    phone: str | None = crm_field(
        "phone",
        ("phone", "telephone", "tel", "phone number", "mobile", "cell", "contact phone",
         "phone no"),
        "Phone number for follow-ups (kept as text).",
        what="Phone number, for follow-ups. It stays as you type it (a leading 0 is kept).",
        why="So you can call them when a follow-up is due.",
    )  # fmt: skip
    notes: str | None = crm_field(
        "text",
        ("notes", "note", "comments", "comment", "remarks", "memo"),
        "Free notes.",
        what="Anything worth remembering.",
        why="Kept as it is; crmsheet does not change it.",
    )
    # -- names (issue 13): a person's name in parts, and the contact person ---------------
    first_name: str | None = crm_field(
        "text",
        ("first name", "firstname", "given name", "forename", "fname",
         "contact first name"),
        "The person's first name; with the last name it makes the name when there is none.",
        what="First name of the customer (or of your contact there).",
        why="With the last name, gives a name to customers listed by person.",
    )  # fmt: skip
    last_name: str | None = crm_field(
        "text",
        ("last name", "lastname", "surname", "family name", "lname",
         "contact last name"),
        "The person's last name; with the first name it makes the name when there is none.",
        what="Last name of the customer (or of your contact there).",
        why="With the first name, gives a name to customers listed by person.",
    )  # fmt: skip
    contact: str | None = crm_field(
        "text",
        ("contact", "contact person", "contact name", "primary contact", "main contact",
         "key contact", "attention", "attn", "contact full name"),
        "The person you deal with at the customer (first + last name when not given).",
        what="The person you deal with there, e.g. Jessica Jones.",
        why="Tells you whom to ask for when you call about a follow-up.",
    )  # fmt: skip

    # -- identity (issue 18): where the customer is and its website; duplicates are found by
    # them (crmsheet.duplicate_candidates). Billing_* variants read as these; a delivery's
    # (shipCity, Shipping Country: an order's) does not; the user's columns stay as written.
    address: str | None = crm_field(
        "text",
        ("address", "street", "street address", "address line 1", "address 1", "address1",
         "addr", "address line", "street 1", "street line 1", "mailing address",
         "mailing street", "postal address", "physical address", "business address"),
        "Street address (the first line: number and street).",
        what="Number and street, e.g. 12 Harbour Road.",
        why="Two rows at one address are likely one customer entered twice.",
    )  # fmt: skip
    city: str | None = crm_field(
        "text",
        ("city", "town", "town city", "suburb", "locality", "mailing city"),
        "Town or city of the address; stands in for the market when the sheet has none.",
        what="Town or city, e.g. Bristol.",
        why="Tells apart customers with the same name in different towns.",
    )  # fmt: skip
    postcode: str | None = crm_field(
        "text",
        ("postcode", "post code", "postal code", "zip", "zip code", "zipcode",
         "postal code zip code", "postcode zip", "zip postal code", "postal",
         "billing code", "mailing postal code", "plz", "eircode"),
        "Postcode or ZIP code, kept as text (a leading 0 stays).",
        what="Postcode or ZIP code, e.g. BS1 4DJ or 02134.",
        why="Two similar names at one postcode are likely one customer entered twice.",
    )  # fmt: skip
    website: str | None = crm_field(
        "text",
        ("website", "web site", "web address", "url", "homepage", "home page",
         "company website", "web", "www", "domain", "web domain", "company domain"),
        "The customer's website; its domain (acme.co.uk) identifies the business.",
        what="Their website, e.g. www.acme.co.uk.",
        why="Two rows with one website are one business, whatever their names.",
    )  # fmt: skip
    same_as: str | None = crm_field(
        "text",
        ("same as", "merge into", "merged into", "merge with", "duplicate of",
         "same customer as", "is duplicate of", "duplicate of customer", "merge to",
         "surviving customer", "merged with", "same as customer"),
        "This row is the same customer as another (its ID or name): crmsheet merges this "
        "row's sales, support and referrals into that one in every figure.",
        what="Only on a customer entered twice: the ID or name of the row to keep, e.g. "
        "C1042. Leave it blank otherwise.",
        why="Puts a customer's invoices split over two rows back together, so revenue, "
        "ratings and lapsed lists are right.",
    )  # fmt: skip

    @model_validator(mode="after")
    def _id_or_name(self) -> Customer:
        if not self.customer_id and not self.name:
            raise ValueError("a customer needs a customer_id or a name")
        return self


class Transaction(_Row):
    """One invoice, quote or credit, or one line of one (lines combine per invoice)."""

    customer_id: str | None = crm_field(
        "id",
        ("customer id", "customer no", "customer number", "customer code", "cust id",
         "custid", "client id", "client no", "client number", "account id", "account no",
         "account number", "customer ref", "partner id", "business partner id"),
        "The customer's ID, as on the customer sheet.",
        what="The customer's ID, as on the Customers sheet: pick it from the list.",
        why="Links the sale to the customer.",
    )  # fmt: skip
    customer_name: str | None = crm_field(
        "text",
        ("customer", "customer name", "client", "client name", "company", "company name",
         "account", "account name", "name", "bill to", "sold to", "buyer"),
        "The customer's name, when invoices carry no ID.",
        what="The customer's name, written as on the Customers sheet: pick it from the list.",
        why="Links the sale to the customer.",
    )  # fmt: skip
    invoice: str | None = crm_field(
        "id",
        ("invoice", "invoice no", "invoice number", "invoice id", "invoice ref",
         "document", "document no", "document number", "doc no", "order", "order id",
         "order no", "order number", "transaction id", "transaction no", "receipt no",
         "quote no", "quote number", "sales order id", "sales order", "sales order no",
         "sales order number", "reference", "ref", "number", "no"),
        "Invoice or quote number; lines with the same number are one transaction.",
        what="The invoice, receipt or quote number. Lines with the same number are one sale.",
        why="Counts purchases right when one sale has several lines.",
    )  # fmt: skip
    date: datetime | None = crm_field(
        "date",
        ("date", "invoice date", "transaction date", "order date", "sale date",
         "document date", "posting date", "issue date", "date issued", "quote date",
         "purchase date", "payment date", "close date", "created at", "created",
         "paid on", "paid at", "date paid", "issued", "issued on", "posted", "posted on",
         "booked", "booked on", "booking date", "sold on", "date sold", "day"),
        "Date of the transaction.",
        what="Date of the sale, e.g. 2026-03-31.",
        why="Who buys often, who has gone quiet, who came back: it all comes from these dates.",
    )  # fmt: skip
    amount: float | None = crm_field(
        "money",
        # before tax when there is the choice: a sheet with Subtotal and Total (tax and
        # shipping in) takes the Subtotal, one with Net and Gross amounts the Net
        ("amount", "amount excl tax", "amount excluding tax", "amount before tax",
         "net amount", "net total", "subtotal", "sub total", "sale amount",
         "order total", "total", "invoice total", "invoice amount", "net", "value", "sales",
         "revenue", "grand total", "total amount", "gross amount", "amount due"),
        "Money value of the transaction (or line), before tax when you have the choice.",
        what="The total before tax. Leave blank to use Qty x Unit price less the Discount.",
        why="Sales per customer decide who your A, B and C customers are.",
    )  # fmt: skip
    quantity: float | None = crm_field(
        "number",
        ("quantity", "qty", "units", "no of units", "count", "pcs"),
        "Units sold.",
        what="How many units (optional).",
        why="With Unit price, gives the amount when you leave Amount blank.",
    )
    unit_price: float | None = crm_field(
        "money",
        ("unit price", "price", "price each", "rate", "unit cost", "each", "list price",
         "selling price"),
        "Price of one unit.",
        what="Price of one unit (optional).",
        why="With Qty, gives the amount when you leave Amount blank.",
    )  # fmt: skip
    discount: float | None = crm_field(
        "percent",
        ("discount", "discount rate", "discount pct", "discount percent", "disc",
         "rebate"),
        "Discount given on the line, as a share (0.1 or 10 %).",
        ge=0,
        le=1,
        what="Discount given, e.g. 10%. Leave blank for none.",
        why="A customer who always pushes for a lower price is rated one step down.",
    )  # fmt: skip
    kind: str | None = crm_field(
        "choice",
        ("kind", "type", "transaction type", "document type", "doc type", "record type"),
        "invoice, quote or credit (a leading C on the number or a negative amount = credit).",
        choices=TRANSACTION_KINDS,
        what="Invoice (a sale), Quote, or Credit (a refund: type the amount without a minus).",
        why="Credits reduce sales; quotes show what was asked, and invoices far below "
        "their quote count as price pushing.",
    )  # fmt: skip
    description: str | None = crm_field(
        "text",
        ("description", "item", "product", "product name", "item description", "service",
         "details", "memo", "line description", "line item name"),
        "What was sold.",
        what="What you sold.",
        why="For your own records.",
    )  # fmt: skip
    product: str | None = crm_field(
        "text",
        ("product id", "product code", "stock code", "stockcode", "sku", "item code",
         "item no", "article", "article no", "part no", "part number"),
        "Product or stock code.",
    )  # fmt: skip
    status: str | None = crm_field(
        "choice",
        ("status", "order status", "invoice status", "transaction status", "sale status",
         "document status", "payment status", "financial status", "lifecycle status",
         "life cycle status", "order state", "invoice state", "stage", "stage name",
         "deal stage", "sales stage", "opportunity stage", "pipeline stage"),
        "Where the order, invoice or deal stands: completed, paid, open, cancelled, refunded"
        "... Cancelled, void, refunded, on-hold, disputed, draft, failed, pending-payment, "
        "lost and open deals are not revenue (Settings: excluded_statuses, status_codes).",
        choices=TRANSACTION_STATUSES,
        what="Completed, Paid, Open, Cancelled, Refunded... Leave blank for a sale that "
        "stands.",
        why="A cancelled or refunded order is no sale: crmsheet leaves it out of revenue "
        "and says how many it left out.",
    )  # fmt: skip
    # ledger: invoice exports that repeat the invoice total on each line, double-entry ledgers
    line_amount: float | None = crm_field(
        "money",
        ("item total", "item amount", "item subtotal", "line item total", "line total",
         "line amount", "extended price",
         "extended amount", "line subtotal", "line net amount"),
        "Money value of one line, when the sheet also repeats the invoice total on each line "
        "(then revenue comes from the lines, checked against the total).",
    )  # fmt: skip
    account_type: str | None = crm_field(
        "text",
        ("account type", "account group", "account class", "ledger account type",
         "account category", "gl account type"),
        "The ledger account a line is booked to (an accounting export): only income, revenue "
        "or sales lines are sales; receivable, cash and other lines are kept aside.",
    )  # fmt: skip
    refunded: float | None = crm_field(
        "money",
        ("refunded", "amount refunded", "refunded amount", "total refunded", "refund amount",
         "refund total", "refunds", "refunded total"),
        "Money paid back on the order or invoice: revenue is counted net of it.",
        what="What you paid back on this sale, if anything (leave blank for none).",
        why="A partly refunded order is worth what the customer kept, not its full total.",
    )  # fmt: skip
    # -- the customer's email on an order (issue 13, helper "email") ----------------------
    customer_email: str | None = crm_field(
        "email",
        ("customer email", "billing email", "email", "e mail", "email address",
         "e mail address", "buyer email", "client email", "customer email address",
         "purchaser email", "bill to email", "contact email", "customer e mail"),
        "The customer's email on the order: finds the customer when the ID matches none "
        "(a shop's own user numbers, a guest checkout).",
        what="The customer's email, as on the Customers sheet (optional).",
        why="Links the sale to the customer when the order carries no customer ID you use.",
    )  # fmt: skip
    # -- currencies (issue 18, helper "currency"): converted to the base currency ----------
    currency: str | None = crm_field(
        "text",
        ("currency", "currency code", "order currency", "invoice currency",
         "transaction currency", "document currency", "sale currency", "payment currency",
         "currency iso", "iso currency", "currency iso code", "curr", "ccy"),
        "The currency of the row's amounts (an ISO code such as EUR, or €, £): amounts in "
        "another currency than the base one are converted with its rate (Settings: rates, "
        "or a Rates sheet); a row in a currency with no rate is left out, with the reason.",
        what="The currency of the amount, e.g. EUR or USD. Leave blank for your own currency.",
        why="Euros are not added to dollars: each sale is converted to your base currency.",
    )  # fmt: skip
    exchange_rate: float | None = crm_field(
        "number",
        ("exchange rate", "fx rate", "conversion rate", "rate to base", "currency rate",
         "exchange rate to base", "base currency rate"),
        "The row's own exchange rate: what one unit of its currency was worth in the base "
        "currency that day (Zoho's Exchange Rate). Used for that row instead of the rates "
        "table, unless a row in the base currency has a rate other than 1 (then the column "
        "is the rate to another currency and is not used); a rate of 0 or less is not used.",
        what="What one unit of the row's currency was worth in your own currency that day.",
        why="A sale in euros is counted at the rate of its day, not today's.",
    )  # fmt: skip


def _like(model: type[_Row], name: str, *, what: str, why: str) -> Any:
    """``model``'s field ``name`` (kind, headers, doc) with help text of its own."""
    info = model.model_fields[name]
    extra: dict[str, Any] = info.json_schema_extra  # type: ignore[assignment]
    assert not info.metadata and "choices" not in extra, "copy the constraints too"
    return crm_field(extra["kind"], tuple(extra["headers"]), info.description or "",
                     what=what, why=why)  # fmt: skip


class MarketingSpend(_Row):
    """Money spent on one source or campaign over a period."""

    source: str | None = crm_field(
        "choice",
        ("source", "channel", "lead source", "marketing channel", "medium", "media"),
        "Which channel the money went to.",
        choices=SOURCES,
        what="Where the money went: the same list as Lead source on the Customers sheet.",
        why="Compared with the sales from the customers each source brought in, this "
        "gives the return on your marketing.",
    )  # fmt: skip
    campaign: str | None = crm_field(
        "text",
        ("campaign", "campaign name", "promotion", "activity"),
        "Which campaign.",
        what="The campaign name (optional), written as on the Customers sheet.",
        why="Measures each campaign on its own.",
    )
    period_start: date | None = crm_field(
        "date",
        ("period start", "start", "start date", "from", "date from", "begin", "date",
         "spend date"),
        "First day the spend covers.",
    )  # fmt: skip
    period_end: date | None = crm_field(
        "date", ("period end", "end", "end date", "to", "date to", "until"), "Last day covered."
    )
    month: date | None = crm_field(
        "date",
        ("month", "period", "year month", "billing month"),
        "The month covered.",
        what="The month the money was spent: type its first day, e.g. 2026-03-01.",
        why="Spend up to the day of the analysis counts; a month still running counts in part.",
    )
    amount: float | None = crm_field(
        "money",
        ("amount", "spend", "spent", "cost", "budget spent", "total", "marketing spend",
         "ad spend", "expense", "expenses", "value"),
        "How much was spent.",
        ge=0,
        what="How much you spent.",
        why="The cost side of your marketing return.",
    )  # fmt: skip
    currency: str | None = _like(
        Transaction, "currency",
        what="The currency of the amount, e.g. EUR or USD. Leave blank for your own currency.",
        why="Spend in another currency is converted to your base currency before it is "
        "compared with sales.",
    )  # fmt: skip
    exchange_rate: float | None = _like(
        Transaction, "exchange_rate",
        what="What one unit of the row's currency was worth in your own currency that day.",
        why="Spend in euros is counted at the rate of its day, not today's.",
    )  # fmt: skip


class SupportCase(_Row):
    """Support demand: one case (or a count of cases) for one customer."""

    customer_id: str | None = _like(
        Transaction, "customer_id",
        what="The customer's ID, as on the Customers sheet: pick it from the list.",
        why="Links the case to the customer.",
    )  # fmt: skip
    customer_name: str | None = _like(
        Transaction, "customer_name",
        what="The customer's name, written as on the Customers sheet: pick it from the list.",
        why="Links the case to the customer.",
    )  # fmt: skip
    date: datetime | None = crm_field(
        "date",
        ("date", "opened", "date opened", "created", "created date", "logged", "raised",
         "case date", "ticket date", "reported"),
        "When the case was raised.",
        what="When the request came in, e.g. 2026-03-31.",
    )  # fmt: skip
    cases: int | None = crm_field(
        "count",
        ("cases", "case count", "tickets", "ticket count", "calls", "requests",
         "number of cases", "count"),
        "Number of cases on this row (blank = 1).",
        ge=0,
        what="How many requests this row counts. Blank counts as 1.",
        why="A customer who needs much more help than they pay for is rated one step "
        "down: support costs your staff's time.",
    )  # fmt: skip
    minutes: float | None = crm_field(
        "number",
        ("minutes", "time spent", "duration", "duration minutes", "time minutes",
         "mins", "handling time", "effort minutes"),
        "Staff time spent, in minutes.",
        ge=0,
        what="Time your staff spent on it, in minutes.",
        why="Time is what support really costs you.",
    )  # fmt: skip
    severity: str | None = crm_field(
        "text",
        ("severity", "priority", "urgency", "impact", "level"),
        "How severe.",
        what="Low, Normal, High or Urgent, or your own words.",
        why="For your own records.",
    )
    case_id: str | None = crm_field(
        "id", ("case id", "case no", "ticket", "ticket id", "ticket no", "ticket number",
               "case number", "id"), "The case or ticket number."
    )  # fmt: skip


MODELS: dict[Role, type[_Row]] = {
    "customers": Customer,
    "transactions": Transaction,
    "spend": MarketingSpend,
    "support": SupportCase,
}


@dataclass(frozen=True)
class FieldSpec:
    """What crmsheet knows of one field, derived from the model."""

    name: str
    kind: str
    headers: tuple[str, ...]  # normalised header synonyms, most specific first
    description: str
    what: str  # the templates' help: what to type in the column
    why: str  # and why the field matters
    choices: dict[str, tuple[str, ...]] | None
    ge: float | None
    le: float | None


def field_specs(role: Role) -> dict[str, FieldSpec]:
    """The fields of ``role`` in declaration order, with their reading rules."""
    return _SPECS[role]


def _spec(name: str, info: Any) -> FieldSpec:
    extra = info.json_schema_extra or {}
    ge = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    le = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    choices = extra.get("choices")
    headers = [normalise_header(name), *(normalise_header(h) for h in extra["headers"])]
    return FieldSpec(
        name=name,
        kind=extra["kind"],
        headers=tuple(dict.fromkeys(headers)),
        description=info.description or "",
        what=extra["what"],
        why=extra["why"],
        choices={k: tuple(v) for k, v in choices.items()} if choices else None,
        ge=None if ge is None else float(ge),  # type: ignore[arg-type]
        le=None if le is None else float(le),  # type: ignore[arg-type]
    )


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_header(text: object) -> str:
    """Header text as compared with synonyms: ``"Customer #"`` -> ``"customer no"``.

    Accents and case are dropped, camelCase is split (``companyName`` -> ``company name``),
    ``#`` reads as "no", and every run of punctuation or space becomes one space.
    """
    s = "" if text is None else str(text)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _CAMEL.sub(" ", s).replace("#", " no ").replace("%", " pct ").casefold()
    s = s.replace("nº", " no ").replace("n°", " no ")
    return _NON_WORD.sub(" ", s).strip()


def fields_markdown() -> str:
    """The field reference (docs/fields.md): every field, what it is for, the headers read."""
    titles = {"customers": "Customers", "transactions": "Transactions",
              "spend": "Marketing spend", "support": "Support"}  # fmt: skip
    lines = ["# The fields crmsheet reads", "",
             "Generated from `crmsheet/schema.py` (`python -m crmsheet.schema`); headers are "
             "compared after dropping case, accents and punctuation (`Customer #` = "
             "`customer no`). Columns not listed are kept as your own.", ""]  # fmt: skip
    for role in ROLES:
        lines += [f"## {titles[role]}", "", "| field | what it is | headers read as this field |",
                  "|---|---|---|"]  # fmt: skip
        for spec in field_specs(role).values():
            headers = ", ".join(f"`{h}`" for h in spec.headers)
            text = spec.description
            if spec.choices:
                text += " Values: " + "; ".join(
                    f"{k} ({', '.join(v[:6])})" for k, v in spec.choices.items()
                )
            lines.append(f"| `{spec.name}` | {text} | {headers} |")
        lines.append("")
    return "\n".join(lines)


_SPECS: dict[Role, dict[str, FieldSpec]] = {
    role: {name: _spec(name, info) for name, info in model.model_fields.items()}
    for role, model in MODELS.items()
}


if __name__ == "__main__":  # pragma: no cover
    print(fields_markdown(), end="")
