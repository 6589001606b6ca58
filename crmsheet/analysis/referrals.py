"""Who sends us customers? The total value of each referrer: their own and what they brought.

"Referred by (another client or business associate) - so you can track the total value of
the referring client or source and acknowledge and/or further develop the relationship." A
modest customer who referred three big ones is worth more than their invoices say; an outside
associate who never buys may be the best salesperson you have.

Rules: the referrer is ``referred_by_key`` (a customer key when the name matched a customer,
else the text as written: an outside associate). Only direct referrals count (A referred B,
B referred C: C is B's, not A's). A customer named as their own referrer is ignored.
"""

from __future__ import annotations

import pandas as pd

from .columns import Column, count, flag, money, text

__all__ = ["REFERRAL_COLUMNS", "REFERRAL_SHOWN", "referral_value"]

#: The referral table's columns.
REFERRAL_SHOWN: dict[str, Column] = {
    "referrer": text("Referrer"), "referrer_name": text("Referrer name"),
    "is_customer": flag("Is a customer"), "customers_referred": count("Customers referred"),
    "referred_revenue": money("Referred revenue (lifetime)"),
    "referred_revenue_12m": money("Referred revenue (12 months)"),
    "own_revenue": money("Own revenue (lifetime)"),
    "total_value": money("Total value (lifetime)"),
}  # fmt: skip
REFERRAL_COLUMNS = list(REFERRAL_SHOWN)


def referral_value(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per referrer, biggest referred revenue first.

    Columns: referrer (key or text), referrer_name (the customer's name, else the text),
    is_customer (False: an outside associate), customers_referred, referred_revenue and
    referred_revenue_12m (lifetime and last-12-months revenue of the customers they
    referred), own_revenue (their own lifetime revenue; 0 for outsiders) and total_value
    (own + referred). Nobody referred: an empty frame with these columns.

    >>> referral_value(metrics)  # doctest: +SKIP
      referrer referrer_name  is_customer  customers_referred  referred_revenue  ...
    0      ann     Ann's Cafe         True                   2             900.0  ...
    1    Bob K         Bob K        False                   1             300.0  ...
    """
    keys = metrics.index.astype(object)
    by = metrics["referred_by_key"].astype(object).where(metrics["referred_by_key"].notna())
    by = pd.Series(by.to_numpy(), index=keys)
    referred = by.notna() & (by != pd.Series(keys, index=keys))
    frame = pd.DataFrame({
        "referrer": by[referred].to_numpy(),
        "revenue": metrics["revenue"].astype(float).fillna(0.0).to_numpy()[referred.to_numpy()],
        "revenue_12m": metrics["revenue_12m"].astype(float).fillna(0.0).to_numpy()[
            referred.to_numpy()],
    })  # fmt: skip
    out = frame.groupby("referrer", sort=False).agg(
        customers_referred=("revenue", "size"), referred_revenue=("revenue", "sum"),
        referred_revenue_12m=("revenue_12m", "sum"),
    ).reset_index()  # fmt: skip
    own = pd.Series(metrics["revenue"].astype(float).fillna(0.0).to_numpy(), index=keys)
    names = pd.Series(
        metrics["name"].astype(object).where(metrics["name"].notna(), None).to_numpy(), index=keys
    )
    out["is_customer"] = keys.get_indexer(out["referrer"].astype(object)) >= 0
    out["referrer_name"] = out["referrer"].map(names).fillna(out["referrer"])
    out["own_revenue"] = out["referrer"].map(own).fillna(0.0).astype(float)
    out["total_value"] = out["own_revenue"] + out["referred_revenue"]
    out = out.sort_values(
        ["referred_revenue", "customers_referred", "referrer"],
        ascending=[False, False, True], kind="stable",
    ).reset_index(drop=True)  # fmt: skip
    out["referrer"] = out["referrer"].astype("str")
    out["referrer_name"] = out["referrer_name"].astype("str")
    out["customers_referred"] = out["customers_referred"].astype("int64")
    for col in ("referred_revenue", "referred_revenue_12m"):
        out[col] = out[col].astype(float)
    return out[REFERRAL_COLUMNS]
