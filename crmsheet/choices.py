"""The canonical values of crmsheet's choice fields, and the words people write for each.

Keys are the canonical values; each tuple holds normalised tokens (casefolded, punctuation
as spaces: see :func:`crmsheet.parse.normalise_token`) that read as that value. The fields
of :mod:`crmsheet.schema` name these as their choices; the templates' dropdowns show them.
"""

from __future__ import annotations

__all__ = [
    "CUSTOMER_TYPES", "NOT_REVENUE_STATUSES", "RATINGS", "SOURCES", "SOURCE_WORDS",
    "SUPPORT_TIERS", "TRANSACTION_KINDS", "TRANSACTION_STATUSES",
]  # fmt: skip

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
                "inv", "purchase",
                # a CRM deal (Salesforce Opportunity.Type): its status says whether it is won
                "opportunity", "deal", "new business", "existing business"),
    "quote": ("quote", "quotation", "estimate", "proposal", "offer", "bid", "est", "qt"),
    "credit": ("credit", "credit note", "credit memo", "refund", "return", "cancellation",
               "cancelled", "canceled", "cn"),
}  # fmt: skip

#: What an order's, invoice's or deal's status says, as one canonical kind. Shop (WooCommerce
#: ``wc-completed``, Shopify ``financial_status``), invoicing (Zoho, QuickBooks, Stripe) and CRM
#: (Salesforce ``StageName``) words; the kinds of :data:`NOT_REVENUE_STATUSES` are not sales.
#: A Salesforce stage short of "Closed Won" is an ``open deal``: a deal is revenue once won.
TRANSACTION_STATUSES: dict[str, tuple[str, ...]] = {
    "completed": ("completed", "complete", "wc completed", "done", "closed", "finished",
                  "fulfilled", "fulfilled order", "success", "succeeded", "successful"),
    "paid": ("paid", "wc paid", "payment received", "settled", "paid in full", "fully paid",
             "partially paid", "partly paid", "partial", "partially refunded", "captured"),
    "won": ("won", "closed won", "deal won", "win"),
    "delivered": ("delivered", "shipped", "dispatched", "sent out", "in transit",
                  "partially shipped", "partially delivered"),
    "processing": ("processing", "wc processing", "in process", "in progress", "confirmed",
                   "accepted", "approved", "authorized", "authorised", "booked", "ordered"),
    "open": ("open", "new", "sent", "viewed", "issued", "invoiced", "billed", "unpaid",
             "due", "overdue", "outstanding", "past due", "awaiting", "posted", "active",
             "receivable"),
    "cancelled": ("cancelled", "canceled", "cancel", "wc cancelled", "cancellation",
                  "aborted", "trash", "trashed", "deleted", "rejected", "declined order",
                  "storniert", "storno", "annule"),
    "void": ("void", "voided", "annulled", "written off", "write off", "uncollectible"),
    "refunded": ("refunded", "wc refunded", "fully refunded", "refund", "returned",
                 "reversed", "reversal"),
    "on-hold": ("on hold", "on-hold", "wc on hold", "hold", "held", "paused", "suspended",
                "blocked"),
    "disputed": ("disputed", "dispute", "in dispute", "chargeback", "charged back",
                 "contested"),
    "draft": ("draft", "checkout draft", "wc checkout draft", "unsent", "not sent",
              "pending approval"),
    "failed": ("failed", "wc failed", "payment failed", "declined", "error", "expired"),
    "pending-payment": ("pending payment", "pending", "wc pending", "awaiting payment",
                        "payment pending", "pending payment method", "unconfirmed"),
    "lost": ("lost", "closed lost", "deal lost"),
    "open deal": ("prospecting", "qualification", "needs analysis", "value proposition",
                  "id decision makers", "decision makers", "perception analysis",
                  "proposal price quote", "proposal", "negotiation review", "negotiation",
                  "discovery", "demo", "pipeline", "open deal", "opportunity"),
}  # fmt: skip

#: The status kinds that are not revenue unless Settings says otherwise
#: (``excluded_statuses``): the sale did not happen, was undone, or is not settled.
NOT_REVENUE_STATUSES: tuple[str, ...] = (
    "cancelled", "void", "refunded", "on-hold", "disputed", "draft", "failed",
    "pending-payment", "lost", "open deal",
)  # fmt: skip

#: Words inside a longer source ("Referral from Bayside", "Google ads", "Email newsletter")
#: that say which source it is, strongest first: a referral is a referral however it came,
#: an email is email even as a newsletter, a paid ad is a campaign even on Google.
SOURCE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("referral", ("referral", "referrals", "referred", "refer", "referer", "referrer",
                  "recommended", "recommendation", "word of mouth", "friend", "friends")),
    ("email", ("email", "e mail", "emails", "mailchimp")),
    ("campaign", ("ad", "ads", "adwords", "advert", "advertising", "advertisement", "ppc",
                  "paid", "sponsored", "campaign", "promo", "promotion", "flyer", "flyers",
                  "leaflet", "mailing", "mailshot", "newsletter", "radio", "tv", "billboard",
                  "print", "magazine", "newspaper", "coupon")),
    ("event", ("event", "trade show", "tradeshow", "fair", "expo", "conference", "seminar",
               "webinar", "networking", "meetup")),
    ("partner", ("partner", "reseller", "affiliate", "distributor")),
    ("phone", ("phone", "telephone", "call", "calls", "telesales")),
    ("walk-in", ("walk in", "walkin", "walked in", "store", "shop", "showroom", "passing")),
    ("web", ("web", "website", "site", "online", "internet", "google", "bing", "seo",
             "search", "facebook", "instagram", "linkedin", "twitter", "tiktok", "youtube",
             "social", "yelp", "organic")),
)  # fmt: skip
