"""A partly refunded sale counts what the customer kept (red-team pass: a Stripe export's
Amount Refunded was ignored, so a 50.00 charge with 20.00 refunded counted 50.00)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 11, 1)


def test_stripe_charges_count_net_of_refunds(tmp_path: Path) -> None:
    path = tmp_path / "stripe.csv"
    path.write_text(
        "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,"
        "Customer Email\n"
        "ch_1,Inv 1,2025-02-01 10:00,100.00,0.00,usd,Paid,cus_A,ann@x.com\n"
        "ch_2,Inv 2,2025-02-02 10:00,40.00,,usd,Paid,cus_A,ann@x.com\n"
        "ch_3,Inv 3,2025-02-03 10:00,50.00,20.00,usd,Paid,cus_B,bob@x.com\n"
        "ch_4,Inv 4,2025-02-04 10:00,30.00,45.00,usd,Paid,cus_B,bob@x.com\n",
        encoding="utf-8",
    )
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    (table,) = data.tables
    assert table.mapping["Amount Refunded"] == "refunded"
    plain = pd.read_csv(path)
    kept = (plain["Amount"] - plain["Amount Refunded"].fillna(0)).clip(lower=0)
    expected = kept.groupby(plain["Customer ID"]).sum().to_dict()
    revenue = crmsheet.analyze(data, as_of=AS_OF).customers["revenue"].to_dict()
    assert revenue == expected == {"cus_A": 140.0, "cus_B": 30.0}
    assert any("2 sales partly or wholly refunded (Amount Refunded, 65.00" in n
               for n in data.notes)  # fmt: skip
    assert data.transactions["amount_before_refund"].tolist() == [100.0, 40.0, 50.0, 30.0]
    assert_rows_accounted_for(data)
