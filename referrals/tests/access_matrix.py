"""Access rows for referrals' URLs: the queue and decisions are for leads and managers."""

from mentoring.tests.access import Row

LEADS = dict(mentor=403, lead=200, manager=200)
DECLINE = lambda w: {"decision": "decline", "on": w.my_referral.received_on.isoformat(), "reason": "Out of area"}  # noqa: E731

MATRIX = [
    Row("referrals:referral_list", **LEADS),
    Row("referrals:referral_create", **LEADS),
    Row("referrals:referral_detail", lambda w: {"pk": w.my_referral.pk}, label="mine", mentor=200, lead=200, manager=200),
    Row("referrals:referral_detail", lambda w: {"pk": w.other_referral.pk}, label="other", mentor=404, lead=200, manager=200),
    Row("referrals:referral_detail", lambda w: {"pk": w.far_referral.pk}, label="far", mentor=404, lead=404, manager=200),
    # Every world referral is already accepted: the decision is refused and the referral's page
    # says who accepted it (302 there).
    Row("referrals:referral_decide", lambda w: {"pk": w.my_referral.pk}, method="post", data=DECLINE, label="mine",
        mentor=403, lead=302, manager=302),
    Row("referrals:referral_decide", lambda w: {"pk": w.far_referral.pk}, method="post", data=DECLINE, label="far",
        mentor=403, lead=404, manager=302),
]
