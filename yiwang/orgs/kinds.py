"""The fixed list of department kinds that categories point to.

A kind is what a department does (housing, transport ...), independent of its level: the
province's housing department and a district's housing bureau share the kind ``housing``.
Routing finds the department of a category's kind in the message's region.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    GENERAL_OFFICE = "general_office", _("General office (government)")
    DEVELOPMENT_REFORM = "development_reform", _("Development and reform")
    EDUCATION = "education", _("Education")
    SCIENCE_TECHNOLOGY = "science_technology", _("Science and technology")
    INDUSTRY_IT = "industry_it", _("Industry and information technology")
    ETHNIC_RELIGIOUS = "ethnic_religious", _("Ethnic and religious affairs")
    PUBLIC_SECURITY = "public_security", _("Public security")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    JUSTICE = "justice", _("Justice")
    FINANCE = "finance", _("Finance")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    ECOLOGY_ENVIRONMENT = "ecology_environment", _("Ecology and environment")
    HOUSING = "housing", _("Housing and urban-rural development")
    TRANSPORT = "transport", _("Transport")
    WATER_RESOURCES = "water_resources", _("Water resources")
    AGRICULTURE_RURAL = "agriculture_rural", _("Agriculture and rural affairs")
    COMMERCE = "commerce", _("Commerce")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    HEALTH = "health", _("Health")
    VETERANS = "veterans", _("Veterans affairs")
    EMERGENCY = "emergency", _("Emergency management")
    AUDIT = "audit", _("Audit")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    MEDICAL_SECURITY = "medical_security", _("Medical security")
    STATISTICS = "statistics", _("Statistics")
    SPORTS = "sports", _("Sports")
    FORESTRY = "forestry", _("Forestry and grassland")
    URBAN_MANAGEMENT = "urban_management", _("Urban management and law enforcement")
    GOVERNMENT_SERVICES = "government_services", _("Government services and data")
    PETITIONS = "petitions", _("Letters and visits (petitions)")
    TAXATION = "taxation", _("Taxation")
    HOUSING_FUND = "housing_fund", _("Housing provident fund")
    DISABLED_PERSONS = "disabled_persons", _("Disabled persons' federation")
    TOWNSHIP = "township", _("Township and sub-district office")
