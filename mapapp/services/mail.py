"""Email through the job queue: every message Commons Map or its sign-in pages send.

QueuedEmailBackend is EMAIL_BACKEND: it puts each message on the queue and returns at once.
The worker's deliver() hands it to EMAIL_DELIVERY_BACKEND (SMTP or the console) and raises
when the server refuses it, so the job is tried again later instead of the message being lost.
"""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from mapapp.services.jobs import enqueue


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            message.connection = None  # a backend holds sockets: the message travels alone
            enqueue("mapapp.services.mail.deliver", message, name=f"email: {message.subject}"[:100])
        return len(email_messages)


def deliver(message):
    """Send one queued message now; an error fails the job, which the queue retries."""
    with get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False) as connection:
        if connection.send_messages([message]) != 1:
            raise RuntimeError("the mail server did not take the message")
