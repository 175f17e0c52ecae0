"""The notifications page, the unread count in the header (in words), marking as read,
opening, and the settings page — each person sees only their own notifications about
situations they may still see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from etage.notifications.models import Notification, NotificationKind, NotificationPreference
from etage.organisations.models import Organisation
from etage.situations.services import share_grant, share_revoke
from tests.notifications.conftest import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_new(new_situation, committed):
    """Two T2 situations identified by LMH: two notifications for its social worker."""
    with committed():
        return [new_situation("t2", "Premier"), new_situation("t2", "Second")]


def test_the_header_says_how_many_are_unread_in_words(two_new, client_for):
    html = client_for("t2-professionnel").get(reverse("core:home")).content.decode()
    assert "Notifications (2 non lues)" in html
    other = client_for("t1-professionnel").get(reverse("core:home")).content.decode()
    assert ">Notifications</a>" in other
    signaller = client_for("t2-signalement").get(reverse("core:home")).content.decode()
    assert reverse("notifications:index") not in signaller


def test_marking_one_as_read_lowers_the_count(two_new, client_for):
    client = client_for("t2-professionnel")
    page = client.get(reverse("notifications:index"))
    html = page.content.decode()
    assert html.count('data-testid="notification"') == 2
    assert "Non lue" in html
    first = Notification.objects.filter(recipient__username="t2-professionnel").first()
    response = client.post(reverse("notifications:mark_read", args=[first.pk]), follow=True)
    assert "Notifications (1 non lue)" in response.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None


def test_opening_one_marks_it_read_and_goes_to_the_situation(two_new, client_for):
    client = client_for("t2-professionnel")
    notification = Notification.objects.filter(situation=two_new[0]).get()
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("situations:detail", args=[two_new[0].pk])
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_all_as_read(two_new, client_for):
    client = client_for("t2-professionnel")
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_a_404(two_new, client_for):
    notification = Notification.objects.first()
    client = client_for("t2-coordination")
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert (
        client.post(reverse("notifications:mark_read", args=[notification.pk])).status_code == 404
    )


def test_a_notification_about_a_situation_no_longer_shared_disappears(
    new_situation, demo_reference, committed, client_for
):
    situation = walk(new_situation("t1", "Retire"), "t1", demo_reference, ["inform"])
    with committed():
        share = share_grant(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
            legal_basis="casf",
        )
    client = client_for("t1-ccas")
    assert situation.reference in client.get(reverse("notifications:index")).content.decode()
    share_revoke(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        share_id=share.pk,
        reason="Erreur de partage",
    )
    page = client.get(reverse("notifications:index")).content.decode()
    assert situation.reference not in page
    assert "Notifications (1" not in page
    notification = Notification.objects.get(recipient__username="t1-ccas")
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404


def test_settings_are_saved_per_kind(client_for, demo_reference):
    client = client_for("t1-professionnel")
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Tout de suite (dans ETAGE et par courriel)" in page
    assert "<legend>Échéance de procédure proche" in page
    data = dict.fromkeys(NotificationKind.values, "digest") | {"share": "off"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    saved = dict(
        NotificationPreference.objects.filter(user=demo_reference["t1-professionnel"]).values_list(
            "kind", "delivery"
        )
    )
    assert saved == data


def test_a_bad_setting_is_refused_and_changes_nothing(client_for):
    client = client_for("t1-professionnel")
    data = dict.fromkeys(NotificationKind.values, "digest") | {"share": "sometimes"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_notifications_page_query_count_does_not_grow(
    new_situation, committed, client_for, django_assert_max_num_queries
):
    with committed():
        for i in range(12):
            new_situation("t2", f"Nom{i}")
    client = client_for("t2-professionnel")
    # Session, user, organisation (header), unread count (the unread rows, then the
    # situations they name), count and page, session save (3).
    with django_assert_max_num_queries(10):
        client.get(reverse("notifications:index"))
