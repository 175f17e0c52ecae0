"""iCalendar export of a platform's meetings (RFC 5545, ``icalendar``).

Calendars leave ETAGE for phones and shared agendas: they carry the date, time, place, video
link and status of each meeting — and nothing about households, not even the number of
situations on the agenda.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from etage.meetings.choices import MeetingStatus
from etage.meetings.models import Meeting
from etage.territories.models import Platform

#: Length given to a meeting without an end time.
DEFAULT_DURATION = dt.timedelta(hours=2)

_STATUS = {
    MeetingStatus.PLANNED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def platform_calendar(platform: Platform, meetings: Iterable[Meeting]) -> bytes:
    from icalendar import Calendar, Event

    with translation.override("fr"):
        calendar = Calendar()
        calendar.add("prodid", "-//ETAGE//Réunions de plateforme//FR")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Meetings — %(name)s") % {"name": platform.name})
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now()
        for meeting in meetings:
            event = Event()
            event.add("uid", f"etage-meeting-{meeting.pk}@{platform.territory.code.lower()}.etage")
            event.add("dtstamp", stamp)
            event.add("dtstart", meeting.starts_at)
            event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_DURATION)
            event.add("summary", _("Platform meeting — %(name)s") % {"name": platform.name})
            if meeting.place:
                event.add("location", meeting.place)
            if meeting.video_link:
                event.add("url", meeting.video_link)
                event.add("description", _("Video link: %(url)s") % {"url": meeting.video_link})
            event.add("status", _STATUS.get(MeetingStatus(meeting.status), "CONFIRMED"))
            event.add("sequence", meeting.version)
            calendar.add_component(event)
        return bytes(calendar.to_ical())
