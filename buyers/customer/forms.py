from oscar.apps.customer import forms as oscar_forms
from oscar.apps.customer.utils import normalise_email


class EmailUserCreationForm(oscar_forms.EmailUserCreationForm):
    """Oscar's registration form without "a user with that email address already exists".

    Saying so would tell anyone which addresses shop here; registration
    (buyers.services.customer_register) writes to the address instead.
    """

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])
