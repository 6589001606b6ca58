"""The canonical values of crmsheet's choice fields, and the words people write for each.

Keys are the canonical values; each tuple holds normalised tokens (casefolded, punctuation
as spaces: see :func:`crmsheet.parse.normalise_token`) that read as that value. The fields
of :mod:`crmsheet.schema` name these as their choices; the templates' dropdowns show them.
"""

from __future__ import annotations

__all__ = ["CUSTOMER_TYPES", "RATINGS", "SOURCES", "SUPPORT_TIERS", "TRANSACTION_KINDS"]

SOURCES: dict[str, tuple[str, ...]] = {
    "referral": ("referral", "referred", "word of mouth", "wom", "recommendation",
                 "recommended", "friend", "client referral", "customer referral"),
    "campaign": ("campaign", "marketing campaign", "mailing", "mailshot", "newsletter",
                 "flyer", "advert", "advertisement", "ad", "ads", "print ad", "radio",
                 "tv", "promotion", "promo"),
    "web": ("web", "website", "web site", "internet", "online", "google", "seo",
            "search", "search engine", "bing", "organic", "web form", "landing page",
            "facebook", "instagram", "linkedin", "social", "social media"),
    "phone": ("phone", "telephone", "call", "phone call", "cold call", "cold calling",
              "inbound call", "outbound call", "telesales"),
    "email": ("email", "e mail", "mail", "cold email", "email campaign"),
    "event": ("event", "trade show", "tradeshow", "fair", "expo", "conference",
              "seminar", "webinar", "networking", "networking event", "meetup"),
    "walk-in": ("walk in", "walkin", "walk-in", "store", "shop", "showroom",
                "passing trade", "drop in"),
    "partner": ("partner", "reseller", "affiliate", "channel partner", "distributor"),
    "other": ("other", "misc", "miscellaneous", "unknown"),
}  # fmt: skip

CUSTOMER_TYPES: dict[str, tuple[str, ...]] = {
    "prospect": ("prospect", "lead", "potential", "potential customer", "opportunity",
                 "suspect"),
    "customer": ("customer", "client", "account", "active", "active customer", "buyer"),
    "former customer": ("former customer", "former", "ex customer", "inactive",
                        "churned", "lost", "past customer"),
    "partner": ("partner", "channel partner", "affiliate"),
    "reseller": ("reseller", "distributor", "dealer", "wholesaler", "retailer"),
    "supplier": ("supplier", "vendor"),
    "competitor": ("competitor",),
    "other": ("other",),
}  # fmt: skip

SUPPORT_TIERS: dict[str, tuple[str, ...]] = {
    "base": ("base", "basic", "standard", "normal", "regular", "bronze", "free", "none"),
    "premium": ("premium", "priority", "gold", "platinum", "silver", "plus", "pro",
                "enterprise", "vip", "extended"),
}  # fmt: skip

RATINGS: dict[str, tuple[str, ...]] = {
    "A": ("a", "a rated", "a rating", "rating a", "tier a", "class a", "1", "tier 1", "key",
          "key account", "top"),
    "B": ("b", "b rated", "b rating", "rating b", "tier b", "class b", "2", "tier 2"),
    "C": ("c", "c rated", "c rating", "rating c", "tier c", "class c", "3", "tier 3"),
}  # fmt: skip

TRANSACTION_KINDS: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice", "sale", "sales", "order", "sales invoice", "receipt", "bill",
                "inv", "purchase"),
    "quote": ("quote", "quotation", "estimate", "proposal", "offer", "bid", "est", "qt"),
    "credit": ("credit", "credit note", "credit memo", "refund", "return", "cancellation",
               "cancelled", "canceled", "cn"),
}  # fmt: skip
