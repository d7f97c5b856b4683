"""The demo entities' official names in the six UN languages (issue 22, item 3).

Chinese: as the seed (the Chinese edition of A/AC.105/1341, paragraphs 5 and 43) writes them, for
every entity it names; the four it does not name (CTBTO, IAEA, UNODC, WIPO) as the UN's Chinese
documents do. The other languages: the UN's own names for each entity (the forms of its
documents, terminology database and the entities' own sites). English is ``full_name``.

``REPORT_GROUPS``: the seed lists the Counter-Terrorism Committee Executive Directorate after the
others (paragraph 43); every other entity is in group 0, listed by its English name.
"""

from __future__ import annotations

# short name: (en, fr, es, ru, ar, zh_Hans)
OFFICIAL_NAMES: dict[str, tuple[str, str, str, str, str, str]] = {
    "CTBTO": (
        "Comprehensive Nuclear-Test-Ban Treaty Organization",
        "Organisation du Traité d'interdiction complète des essais nucléaires",
        "Organización del Tratado de Prohibición Completa de los Ensayos Nucleares",
        "Организация по Договору о всеобъемлющем запрещении ядерных испытаний",
        "منظمة معاهدة الحظر الشامل للتجارب النووية",
        "全面禁止核试验条约组织",
    ),
    "CTED": (
        "Counter-Terrorism Committee Executive Directorate",
        "Direction exécutive du Comité contre le terrorisme",
        "Dirección Ejecutiva del Comité contra el Terrorismo",
        "Исполнительный директорат Контртеррористического комитета",
        "المديرية التنفيذية للجنة مكافحة الإرهاب",
        "反恐怖主义委员会执行局",
    ),
    "DCO": (
        "United Nations Development Coordination Office",
        "Bureau de la coordination des activités de développement des Nations Unies",
        "Oficina de Coordinación del Desarrollo de las Naciones Unidas",
        "Канцелярия Организации Объединенных Наций по координации деятельности в целях развития",
        "مكتب الأمم المتحدة للتنسيق الإنمائي",
        "联合国发展协调办公室",
    ),
    "DESA": (
        "Department of Economic and Social Affairs",
        "Département des affaires économiques et sociales",
        "Departamento de Asuntos Económicos y Sociales",
        "Департамент по экономическим и социальным вопросам",
        "إدارة الشؤون الاقتصادية والاجتماعية",
        "经济和社会事务部",
    ),
    "DGACM": (
        "Department for General Assembly and Conference Management",
        "Département de l'Assemblée générale et de la gestion des conférences",
        "Departamento de la Asamblea General y de Gestión de Conferencias",
        "Департамент по делам Генеральной Ассамблеи и конференционному управлению",
        "إدارة شؤون الجمعية العامة والمؤتمرات",
        "大会和会议管理部",
    ),
    "DGC": (
        "Department of Global Communications",
        "Département de la communication globale",
        "Departamento de Comunicación Global",
        "Департамент глобальных коммуникаций",
        "إدارة التواصل العالمي",
        "全球传播部",
    ),
    "DMSPC": (
        "Department of Management Strategy, Policy and Compliance",
        "Département des stratégies et politiques de gestion et de la conformité",
        "Departamento de Estrategias, Políticas y Conformidad de la Gestión",
        "Департамент по вопросам стратегии, политики и контроля в области управления",
        "إدارة استراتيجيات وسياسات الإدارة والامتثال",
        "管理战略、政策和合规部",
    ),
    "DOS": (
        "Department of Operational Support",
        "Département de l'appui opérationnel",
        "Departamento de Apoyo Operacional",
        "Департамент операционной поддержки",
        "إدارة الدعم العملياتي",
        "业务支助部",
    ),
    "DPO": (
        "Department of Peace Operations",
        "Département des opérations de paix",
        "Departamento de Operaciones de Paz",
        "Департамент операций по поддержанию мира",
        "إدارة عمليات السلام",
        "和平行动部",
    ),
    "EOSG": (
        "Executive Office of the Secretary-General",
        "Cabinet du Secrétaire général",
        "Oficina Ejecutiva del Secretario General",
        "Канцелярия Генерального секретаря",
        "المكتب التنفيذي للأمين العام",
        "秘书长办公厅",
    ),
    "IAEA": (
        "International Atomic Energy Agency",
        "Agence internationale de l'énergie atomique",
        "Organismo Internacional de Energía Atómica",
        "Международное агентство по атомной энергии",
        "الوكالة الدولية للطاقة الذرية",
        "国际原子能机构",
    ),
    "ICAO": (
        "International Civil Aviation Organization",
        "Organisation de l'aviation civile internationale",
        "Organización de Aviación Civil Internacional",
        "Международная организация гражданской авиации",
        "منظمة الطيران المدني الدولي",
        "国际民用航空组织",
    ),
    "ITU": (
        "International Telecommunication Union",
        "Union internationale des télécommunications",
        "Unión Internacional de Telecomunicaciones",
        "Международный союз электросвязи",
        "الاتحاد الدولي للاتصالات",
        "国际电信联盟",
    ),
    "OICT": (
        "Office of Information and Communications Technology",
        "Bureau de l'informatique et des communications",
        "Oficina de Tecnología de la Información y las Comunicaciones",
        "Управление информационно-коммуникационных технологий",
        "مكتب تكنولوجيا المعلومات والاتصالات",
        "信息和通信技术厅",
    ),
    "OIOS": (
        "Office of Internal Oversight Services",
        "Bureau des services de contrôle interne",
        "Oficina de Servicios de Supervisión Interna",
        "Управление служб внутреннего надзора",
        "مكتب خدمات الرقابة الداخلية",
        "内部监督事务厅",
    ),
    "OLA": (
        "Office of Legal Affairs",
        "Bureau des affaires juridiques",
        "Oficina de Asuntos Jurídicos",
        "Управление по правовым вопросам",
        "مكتب الشؤون القانونية",
        "法律事务办公室",
    ),
    "UNDP": (
        "United Nations Development Programme",
        "Programme des Nations Unies pour le développement",
        "Programa de las Naciones Unidas para el Desarrollo",
        "Программа развития Организации Объединенных Наций",
        "برنامج الأمم المتحدة الإنمائي",
        "联合国开发计划署",
    ),
    "UNDRR": (
        "United Nations Office for Disaster Risk Reduction",
        "Bureau des Nations Unies pour la prévention des catastrophes",
        "Oficina de las Naciones Unidas para la Reducción del Riesgo de Desastres",
        "Управление Организации Объединенных Наций по снижению риска бедствий",
        "مكتب الأمم المتحدة للحد من مخاطر الكوارث",
        "联合国减少灾害风险办公室",
    ),
    "UNFPA": (
        "United Nations Population Fund",
        "Fonds des Nations Unies pour la population",
        "Fondo de Población de las Naciones Unidas",
        "Фонд Организации Объединенных Наций в области народонаселения",
        "صندوق الأمم المتحدة للسكان",
        "联合国人口基金",
    ),
    "UNGSC": (
        "United Nations Global Service Centre",
        "Centre de services mondial des Nations Unies",
        "Centro Mundial de Servicios de las Naciones Unidas",
        "Глобальный центр обслуживания Организации Объединенных Наций",
        "مركز الأمم المتحدة للخدمات العالمية",
        "联合国全球服务中心",
    ),
    "UNIDIR": (
        "United Nations Institute for Disarmament Research",
        "Institut des Nations Unies pour la recherche sur le désarmement",
        "Instituto de las Naciones Unidas de Investigación sobre el Desarme",
        "Институт Организации Объединенных Наций по исследованию проблем разоружения",
        "معهد الأمم المتحدة لبحوث نزع السلاح",
        "联合国裁军研究所",
    ),
    "UNODA": (
        "Office for Disarmament Affairs",
        "Bureau des affaires de désarmement",
        "Oficina de Asuntos de Desarme",
        "Управление по вопросам разоружения",
        "مكتب شؤون نزع السلاح",
        "裁军事务厅",
    ),
    "UNODC": (
        "United Nations Office on Drugs and Crime",
        "Office des Nations Unies contre la drogue et le crime",
        "Oficina de las Naciones Unidas contra la Droga y el Delito",
        "Управление Организации Объединенных Наций по наркотикам и преступности",
        "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
        "联合国毒品和犯罪问题办公室",
    ),
    "UNOOSA": (
        "Office for Outer Space Affairs",
        "Bureau des affaires spatiales",
        "Oficina de Asuntos del Espacio Ultraterrestre",
        "Управление по вопросам космического пространства",
        "مكتب شؤون الفضاء الخارجي",
        "外层空间事务厅",
    ),
    "UNOSAT": (
        "United Nations Satellite Centre",
        "Centre satellitaire des Nations Unies",
        "Centro de Satélites de las Naciones Unidas",
        "Спутниковый центр Организации Объединенных Наций",
        "مركز الأمم المتحدة الساتلي",
        "联合国卫星中心",
    ),
    "WHO": (
        "World Health Organization",
        "Organisation mondiale de la Santé",
        "Organización Mundial de la Salud",
        "Всемирная организация здравоохранения",
        "منظمة الصحة العالمية",
        "世界卫生组织",
    ),
    "WIPO": (
        "World Intellectual Property Organization",
        "Organisation mondiale de la propriété intellectuelle",
        "Organización Mundial de la Propiedad Intelectual",
        "Всемирная организация интеллектуальной собственности",
        "المنظمة العالمية للملكية الفكرية",
        "世界知识产权组织",
    ),
    "WMO": (
        "World Meteorological Organization",
        "Organisation météorologique mondiale",
        "Organización Meteorológica Mundial",
        "Всемирная метеорологическая организация",
        "المنظمة العالمية للأرصاد الجوية",
        "世界气象组织",
    ),
}

REPORT_GROUPS = {"CTED": 1}


def names_of(short_name: str) -> dict[str, str]:
    """The five non-English official names of a demo entity, by locale."""
    _en, fr, es, ru, ar, zh = OFFICIAL_NAMES[short_name]
    return {"ar": ar, "zh_Hans": zh, "fr": fr, "ru": ru, "es": es}
