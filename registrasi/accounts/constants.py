from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class LegalForm(models.TextChoices):
    PT = "pt", _("Limited liability company (PT)")
    PT_PMA = "pt_pma", _("Foreign-investment company (PT PMA)")
    CV = "cv", _("Limited partnership (CV)")
    KOPERASI = "koperasi", _("Cooperative (Koperasi)")
    YAYASAN = "yayasan", _("Foundation (Yayasan)")
    OTHER = "other", _("Other")


class Province(models.TextChoices):
    ACEH = "aceh", "Aceh"
    SUMUT = "sumatera_utara", "Sumatera Utara"
    SUMBAR = "sumatera_barat", "Sumatera Barat"
    RIAU = "riau", "Riau"
    KEPRI = "kepulauan_riau", "Kepulauan Riau"
    JAMBI = "jambi", "Jambi"
    SUMSEL = "sumatera_selatan", "Sumatera Selatan"
    BABEL = "bangka_belitung", "Kepulauan Bangka Belitung"
    BENGKULU = "bengkulu", "Bengkulu"
    LAMPUNG = "lampung", "Lampung"
    DKI = "dki_jakarta", "DKI Jakarta"
    JABAR = "jawa_barat", "Jawa Barat"
    BANTEN = "banten", "Banten"
    JATENG = "jawa_tengah", "Jawa Tengah"
    DIY = "di_yogyakarta", "DI Yogyakarta"
    JATIM = "jawa_timur", "Jawa Timur"
    BALI = "bali", "Bali"
    NTB = "nusa_tenggara_barat", "Nusa Tenggara Barat"
    NTT = "nusa_tenggara_timur", "Nusa Tenggara Timur"
    KALBAR = "kalimantan_barat", "Kalimantan Barat"
    KALTENG = "kalimantan_tengah", "Kalimantan Tengah"
    KALSEL = "kalimantan_selatan", "Kalimantan Selatan"
    KALTIM = "kalimantan_timur", "Kalimantan Timur"
    KALTARA = "kalimantan_utara", "Kalimantan Utara"
    SULUT = "sulawesi_utara", "Sulawesi Utara"
    GORONTALO = "gorontalo", "Gorontalo"
    SULTENG = "sulawesi_tengah", "Sulawesi Tengah"
    SULBAR = "sulawesi_barat", "Sulawesi Barat"
    SULSEL = "sulawesi_selatan", "Sulawesi Selatan"
    SULTRA = "sulawesi_tenggara", "Sulawesi Tenggara"
    MALUKU = "maluku", "Maluku"
    MALUT = "maluku_utara", "Maluku Utara"
    PAPUA = "papua", "Papua"
    PAPUA_BARAT = "papua_barat", "Papua Barat"
    PAPUA_BARAT_DAYA = "papua_barat_daya", "Papua Barat Daya"
    PAPUA_TENGAH = "papua_tengah", "Papua Tengah"
    PAPUA_PEGUNUNGAN = "papua_pegunungan", "Papua Pegunungan"
    PAPUA_SELATAN = "papua_selatan", "Papua Selatan"


STAFF_GROUP = "staff"
INSPECTOR_GROUP = "inspector"


class DisputeState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("email not yet confirmed")
    OPEN = "open", _("waiting for the ministry")
    UPHELD = "upheld", _("upheld: the organization moved")
    REJECTED = "rejected", _("rejected")


class DisputeDocumentKind(models.TextChoices):
    DEED = "deed", _("Deed of establishment")
    NIB = "nib", _("NIB document (OSS)")


# The account email tasks are enqueued by name (registrasi.accounts.tasks imports the
# services, so the services do not import it back): this prefix plus the function's name.
TASKS = "registrasi.accounts.tasks."
