"""Factories for people and organizations. Each app keeps its own in tests/<app>/factories.py."""

import factory
from factory.django import DjangoModelFactory

from registrasi.accounts.constants import (
    INSPECTOR_GROUP,
    STAFF_GROUP,
    LegalForm,
    MembershipRole,
    Province,
)
from registrasi.accounts.models import Membership, Organization, User
from registrasi.accounts.roles import add_to_role

PASSWORD = "Sandi-Uji-2026!"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="id_ID")
    language = "id"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        add_to_role(obj, STAFF_GROUP)


class InspectorFactory(UserFactory):
    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        add_to_role(obj, INSPECTOR_GROUP)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    legal_name = factory.Sequence(lambda n: f"PT Layanan Pelanggan {n}")
    legal_form = LegalForm.PT
    nib = factory.Sequence(lambda n: f"{9120000000000 + n:013d}")
    address = "Jl. Medan Merdeka Barat No. 9, Jakarta Pusat"
    province = Province.DKI
    foreign_owned = False
    contact_email = factory.Sequence(lambda n: f"contact{n}@company.test")
    contact_phone = "+62 21 3452841"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MembershipRole.MEMBER

    class Params:
        owner = factory.Trait(role=MembershipRole.OWNER)


def make_applicant(organization=None, owner=True, **user_kwargs):
    """A user who belongs to `organization` (a new one if None)."""
    organization = organization or OrganizationFactory()
    user = UserFactory(**user_kwargs)
    role = MembershipRole.OWNER if owner else MembershipRole.MEMBER
    MembershipFactory(user=user, organization=organization, role=role)
    return user
