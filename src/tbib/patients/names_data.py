"""Moroccan given and family names, in the Latin spelling of civil registers and in Arabic.

Ordered from the most to the least common (rough order, from civil-register frequency lists
and the programme's regions: Middle and High Atlas, Souss, Oriental), so that a Zipf-like
draw by rank resembles a real village register. Amazigh names common in the Atlas and Souss
(Itto, Touda, Moha, Hammou, Ouhammou, Ait ...) are included on purpose.
"""

from __future__ import annotations

NamePair = tuple[str, str]

MALE_GIVEN: tuple[NamePair, ...] = (
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Lahcen", "لحسن"), ("Brahim", "إبراهيم"),
    ("Hassan", "حسن"), ("Abdellah", "عبد الله"), ("Mustapha", "مصطفى"), ("Said", "سعيد"),
    ("Youssef", "يوسف"), ("Omar", "عمر"), ("Ali", "علي"), ("Driss", "إدريس"),
    ("Mbarek", "امبارك"), ("Moha", "موحى"), ("Hammou", "حمو"), ("Lhoussaine", "الحسين"),
    ("Abdelkader", "عبد القادر"), ("Aziz", "عزيز"), ("Rachid", "رشيد"), ("Khalid", "خالد"),
    ("Abderrahmane", "عبد الرحمن"), ("Mohammed", "محمد"), ("Hamid", "حميد"), ("Jamal", "جمال"),
    ("Abdelaziz", "عبد العزيز"), ("Idir", "إيدير"), ("Aissa", "عيسى"), ("Bouchaib", "بوشعيب"),
    ("Larbi", "العربي"), ("Miloud", "ميلود"), ("Salah", "صالح"), ("Tahar", "الطاهر"),
    ("Haddou", "حدو"), ("Addi", "عدي"), ("Assou", "عسو"), ("Boujemaa", "بوجمعة"),
    ("Abdeslam", "عبد السلام"), ("Karim", "كريم"), ("Nourdine", "نور الدين"), ("Yassine", "ياسين"),
    ("Hicham", "هشام"), ("Anouar", "أنوار"), ("Ayoub", "أيوب"), ("Hamza", "حمزة"),
    ("Ismail", "إسماعيل"), ("Othmane", "عثمان"), ("Zakaria", "زكرياء"), ("Ilyas", "إلياس"),
    ("Amine", "أمين"), ("Mehdi", "مهدي"), ("Adam", "آدم"), ("Rayan", "ريان"),
    ("Moulay", "مولاي"), ("Jilali", "الجيلالي"), ("Kaddour", "قدور"), ("Fouad", "فؤاد"),
    ("Abdelhak", "عبد الحق"), ("Redouane", "رضوان"), ("Soufiane", "سفيان"), ("Bilal", "بلال"),
)  # fmt: skip

FEMALE_GIVEN: tuple[NamePair, ...] = (
    ("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Zahra", "زهرة"),
    ("Fadma", "فاضمة"), ("Itto", "إطو"), ("Mina", "مينة"), ("Rkia", "رقية"),
    ("Fatna", "فاطنة"), ("Touda", "تودة"), ("Malika", "مليكة"), ("Naima", "نعيمة"),
    ("Saida", "سعيدة"), ("Hafsa", "حفصة"), ("Zineb", "زينب"), ("Halima", "حليمة"),
    ("Hadda", "حادة"), ("Yamna", "يامنة"), ("Mama", "ماما"), ("Kabira", "كبيرة"),
    ("Rabia", "رابعة"), ("Hayat", "حياة"), ("Latifa", "لطيفة"), ("Nadia", "نادية"),
    ("Samira", "سميرة"), ("Karima", "كريمة"), ("Souad", "سعاد"), ("Meriem", "مريم"),
    ("Hanane", "حنان"), ("Loubna", "لبنى"), ("Asmae", "أسماء"), ("Salma", "سلمى"),
    ("Imane", "إيمان"), ("Hajar", "هاجر"), ("Sara", "سارة"), ("Khaoula", "خولة"),
    ("Oumaima", "أميمة"), ("Chaimae", "شيماء"), ("Doha", "ضحى"), ("Aya", "آية"),
    ("Ijja", "إجة"), ("Tuda", "تودا"), ("Hnia", "هنية"), ("Zohra", "الزهرة"),
    ("Mbarka", "امباركة"), ("Aicha Lalla", "لالة عائشة"), ("Batoul", "البتول"), ("Nezha", "نزهة"),
    ("Habiba", "حبيبة"), ("Jamila", "جميلة"), ("Rahma", "رحمة"), ("Safia", "صفية"),
    ("Ghizlane", "غزلان"), ("Wiam", "وئام"), ("Nisrine", "نسرين"), ("Yasmine", "ياسمين"),
)  # fmt: skip

FAMILY: tuple[NamePair, ...] = (
    ("Ait Ali", "آيت علي"), ("Ouhammou", "أوحمو"), ("Amzil", "أمزيل"), ("El Amrani", "العمراني"),
    ("Oubella", "أوبلا"), ("Bennani", "بناني"), ("El Idrissi", "الإدريسي"), ("Benali", "بنعلي"),
    ("Ait Said", "آيت سعيد"), ("Ait Brahim", "آيت إبراهيم"), ("Oulhaj", "أولحاج"), ("Alaoui", "العلوي"),
    ("El Fassi", "الفاسي"), ("Lahlou", "لحلو"), ("Ouali", "والي"), ("Bouzid", "بوزيد"),
    ("Ait Haddou", "آيت حدو"), ("Ait Moha", "آيت موحى"), ("Ouchen", "أوشن"), ("Azizi", "عزيزي"),
    ("El Hamdaoui", "الحمداوي"), ("Tahiri", "الطاهري"), ("Berrada", "برادة"), ("Chraibi", "الشرايبي"),
    ("El Ouardi", "الوردي"), ("Boukhari", "البخاري"), ("Zerouali", "الزروالي"), ("Hilali", "الهلالي"),
    ("Ait Lahcen", "آيت لحسن"), ("Ait Omar", "آيت عمر"), ("Ouzzine", "أوزين"), ("Akhiat", "أخياط"),
    ("Amrani", "عمراني"), ("Bouhali", "البوهالي"), ("Lamrani", "لمراني"), ("Mansouri", "المنصوري"),
    ("El Mansouri", "المنصوري"), ("Naciri", "الناصري"), ("Sebti", "السبتي"), ("Touzani", "التوزاني"),
    ("Ziani", "الزياني"), ("Ait Baha", "آيت باها"), ("Ouakrim", "أوكريم"), ("Id Ahmed", "إد أحمد"),
    ("Oukhouya", "أوخويا"), ("Ait Ouaarab", "آيت أعراب"), ("Boutaleb", "بوطالب"), ("Chafik", "شفيق"),
    ("Daoudi", "الداودي"), ("El Kettani", "الكتاني"), ("Fikri", "فكري"), ("Ghazi", "غازي"),
    ("Hajji", "الحاجي"), ("Jabri", "الجابري"), ("Kabbaj", "القباج"), ("Lahrichi", "الحريشي"),
    ("Moussaoui", "الموساوي"), ("Nouri", "النوري"), ("Ouazzani", "الوزاني"), ("Rami", "رامي"),
    ("Saadi", "السعدي"), ("Talbi", "الطالبي"), ("Wahbi", "الوهبي"), ("Yousfi", "اليوسفي"),
    ("Zaidi", "الزايدي"), ("Ait Taleb", "آيت الطالب"), ("Ouaaziz", "أوعزيز"), ("Boulahcen", "بولحسن"),
    ("Ait Hammou", "آيت حمو"), ("Oufkir", "أوفقير"), ("Amhaouch", "أمحاوش"), ("Assoul", "أسول"),
    ("Bahou", "باهو"), ("Idrissi", "إدريسي"), ("Mouhou", "موهو"), ("Ouaddou", "وادو"),
    ("Ait Addi", "آيت عدي"), ("Ait Assou", "آيت عسو"), ("Ben Moussa", "بن موسى"), ("Benjelloun", "بنجلون"),
)  # fmt: skip

# Spellings of one name found side by side in civil registers and clinic files.
SPELLING_VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohamed": ("Mohammed", "Mhamed", "Mohammad", "Muhammad", "Mohamad"),
    "Ahmed": ("Ahmad", "Hmad"),
    "Fatima": ("Fatna", "Fadma", "Fatma", "Fatimah"),
    "Ait": ("Aït", "Ayt"),
    "Ou": ("O", "U"),
    "El": ("Al", "Lh"),
    "Youssef": ("Youssouf", "Yousef", "Yusuf", "Youcef"),
    "Brahim": ("Ibrahim", "Ibrahime"),
    "Lahcen": ("Lhassan", "Lahsen", "Lahsan"),
    "Hassan": ("Hasan", "Hassane"),
    "Aicha": ("Aïcha", "Aisha", "Aycha"),
    "Khadija": ("Khadidja", "Khadeeja", "Khdija"),
    "Abdellah": ("Abdallah", "Abdullah", "Abdelah"),
    "Mustapha": ("Moustapha", "Mostafa", "Mustafa"),
    "Said": ("Saïd", "Saeed"),
    "Lhoussaine": ("Lhoussine", "El Houssaine", "Houssine"),
    "Mbarek": ("M'barek", "Embarek", "Moubarak"),
    "Zahra": ("Zohra", "Zahrae"),
    "Rkia": ("Rokia", "Ruqayya", "Rqia"),
    "Itto": ("Ito", "Ittou"),
    "Driss": ("Idriss", "Drisse"),
    "Abderrahmane": ("Abderrahman", "Abdurrahman", "Abderahmane"),
    "Hammou": ("Hamou", "Hemmou"),
    "Naima": ("Naïma", "Naeema"),
    "Malika": ("Malica", "Maleeka"),
    "Meriem": ("Maryam", "Mariam", "Meryem"),
    "Zineb": ("Zaynab", "Zainab", "Zinab"),
    "Hafsa": ("Hafssa", "Hafsah"),
    "Omar": ("Omer", "Umar"),
    "Ali": ("Aly",),
    "Idrissi": ("Drissi", "El Idrissi"),
    "Amrani": ("El Amrani", "Lamrani"),
}
