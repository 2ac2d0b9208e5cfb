"""English (US) pools: names with nicknames, places, companies, products.

Surnames are in rough order of frequency. Given names are ``"Name:Nick1|Nick2"``; the
nickname list may be empty. ZIP prefixes and area codes fit the city; the rest is drawn.
"""

SURNAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins",
    "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
    "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos",
    "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James",
    "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo",
    "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "O'Brien", "O'Connor",
    "McDonald", "MacLeod", "De La Cruz", "Van Dyke", "St. John", "Fitzgerald", "Schneider",
)

MALE_GIVEN_NAMES: tuple[str, ...] = (
    "James:Jim|Jimmy|Jamie", "Robert:Bob|Rob|Bobby", "John:Jack|Johnny", "Michael:Mike|Mick",
    "David:Dave", "William:Bill|Will|Billy", "Richard:Rick|Rich|Dick", "Joseph:Joe|Joey",
    "Thomas:Tom|Tommy", "Christopher:Chris", "Charles:Charlie|Chuck", "Daniel:Dan|Danny",
    "Matthew:Matt", "Anthony:Tony", "Mark:", "Donald:Don", "Steven:Steve", "Andrew:Andy|Drew",
    "Paul:", "Joshua:Josh", "Kenneth:Ken|Kenny", "Kevin:", "Brian:", "George:",
    "Timothy:Tim", "Ronald:Ron", "Edward:Ed|Eddie|Ted", "Jason:", "Jeffrey:Jeff", "Ryan:",
    "Jacob:Jake", "Gary:", "Nicholas:Nick", "Eric:", "Jonathan:Jon", "Stephen:Steve",
    "Lawrence:Larry", "Justin:", "Scott:", "Brandon:", "Benjamin:Ben", "Samuel:Sam",
    "Gregory:Greg", "Alexander:Alex", "Patrick:Pat", "Frank:", "Raymond:Ray", "Dennis:",
    "Jerry:", "Tyler:", "Aaron:", "Jose:", "Adam:", "Nathan:Nate", "Henry:Hank",
    "Peter:Pete", "Zachary:Zach", "Douglas:Doug", "Harold:Harry",
)

FEMALE_GIVEN_NAMES: tuple[str, ...] = (
    "Mary:Molly", "Patricia:Pat|Patty|Trish", "Jennifer:Jen|Jenny", "Linda:",
    "Elizabeth:Liz|Beth|Betsy|Lizzie", "Barbara:Barb", "Susan:Sue|Suzy", "Jessica:Jess",
    "Sarah:", "Karen:", "Lisa:", "Nancy:", "Betty:", "Margaret:Maggie|Peggy|Meg",
    "Sandra:Sandy", "Ashley:", "Kimberly:Kim", "Emily:", "Donna:", "Michelle:", "Carol:",
    "Amanda:Mandy", "Dorothy:Dot", "Melissa:Missy", "Deborah:Debbie|Deb", "Stephanie:Steph",
    "Rebecca:Becky", "Sharon:", "Laura:", "Cynthia:Cindy", "Kathleen:Kathy|Kate", "Amy:",
    "Angela:Angie", "Shirley:", "Anna:", "Brenda:", "Pamela:Pam", "Emma:", "Nicole:Nikki",
    "Helen:", "Samantha:Sam", "Katherine:Kate|Katie|Kathy", "Christine:Chris|Tina",
    "Rachel:", "Carolyn:", "Janet:", "Catherine:Cathy|Kate", "Maria:", "Heather:", "Diane:",
    "Ruth:", "Julie:", "Olivia:", "Joyce:", "Virginia:Ginny", "Victoria:Vicky|Tori",
    "Kelly:", "Lauren:", "Christina:Tina", "Judith:Judy", "Megan:Meg", "Andrea:",
    "Hannah:", "Jacqueline:Jackie", "Martha:", "Teresa:Terry", "Abigail:Abby",
)

MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTW"

#: (state name, state code, city, ZIP prefix, area codes, weight)
PLACES: tuple[tuple[str, str, str, str, tuple[str, ...], float], ...] = (
    ("California", "CA", "San Francisco", "941", ("415", "628"), 3.0),
    ("California", "CA", "Los Angeles", "900", ("213", "323", "310"), 5.0),
    ("California", "CA", "San Diego", "921", ("619", "858"), 2.5),
    ("New York", "NY", "New York", "100", ("212", "646", "917"), 5.0),
    ("New York", "NY", "Brooklyn", "112", ("718", "347"), 3.0),
    ("Texas", "TX", "Houston", "770", ("713", "281", "832"), 3.5),
    ("Texas", "TX", "Austin", "787", ("512", "737"), 2.5),
    ("Texas", "TX", "Dallas", "752", ("214", "469", "972"), 3.0),
    ("Illinois", "IL", "Chicago", "606", ("312", "773"), 4.0),
    ("Washington", "WA", "Seattle", "981", ("206",), 2.5),
    ("Massachusetts", "MA", "Boston", "021", ("617", "857"), 2.5),
    ("New Jersey", "NJ", "Newark", "071", ("973", "862"), 1.5),
    ("Florida", "FL", "Miami", "331", ("305", "786"), 3.0),
    ("Florida", "FL", "Orlando", "328", ("407", "321"), 2.0),
    ("Georgia", "GA", "Atlanta", "303", ("404", "470", "678"), 2.5),
    ("Colorado", "CO", "Denver", "802", ("303", "720"), 2.0),
    ("Arizona", "AZ", "Phoenix", "850", ("602", "480"), 2.5),
    ("Pennsylvania", "PA", "Philadelphia", "191", ("215", "267"), 2.5),
    ("Ohio", "OH", "Columbus", "432", ("614",), 1.5),
    ("Michigan", "MI", "Detroit", "482", ("313",), 1.5),
    ("Oregon", "OR", "Portland", "972", ("503", "971"), 1.5),
    ("Connecticut", "CT", "Hartford", "061", ("860",), 1.0),
    ("Minnesota", "MN", "Minneapolis", "554", ("612",), 1.5),
    ("Tennessee", "TN", "Nashville", "372", ("615",), 1.5),
)

STREET_NAMES: tuple[str, ...] = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Sunset", "Lincoln", "Jackson", "Church", "Highland", "Madison", "Franklin", "Valley",
    "Mill", "Spring", "Ridge", "Walnut", "Chestnut", "Willow", "River", "Meadow", "Forest",
    "Market", "Broad", "Center", "2nd", "3rd", "5th", "Jefferson", "Adams", "Mission",
)

#: (full suffix, abbreviation) pairs as people write them.
STREET_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"),
    ("Boulevard", "Blvd"), ("Court", "Ct"), ("Place", "Pl"), ("Way", "Way"), ("Terrace", "Ter"),
)

COMPANIES: tuple[str, ...] = (
    "Acme Corporation", "Blue Harbor Inc.", "Northwind Traders", "Summit Analytics LLC",
    "Greenfield Foods", "Pioneer Logistics", "Redwood Health", "Silverline Media",
    "Cobalt Systems Inc.", "Lakeside Realty", "Brightpath Education", "Ironclad Security",
)

COMPANY_DOMAINS: tuple[str, ...] = (
    "acmecorp.com", "blueharbor.com", "northwindtraders.com", "summitanalytics.io",
    "greenfieldfoods.com", "pioneerlogistics.com", "redwoodhealth.org", "silverline.media",
    "cobaltsys.com", "lakesiderealty.com", "brightpath.edu", "ironclad-security.com",
)

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.45), ("yahoo.com", 0.15), ("outlook.com", 0.08), ("hotmail.com", 0.08),
    ("icloud.com", 0.1), ("aol.com", 0.04), ("comcast.net", 0.04), ("msn.com", 0.02),
    ("protonmail.com", 0.02), ("att.net", 0.02),
)

PRODUCTS: tuple[tuple[str, int], ...] = (
    ("Organic Green Tea 3.5oz", 1299), ("Cotton Face Towel Set", 1850),
    ("Cast Iron Teapot", 7900), ("Ceramic Mug", 2400), ("Canvas Tote Bag", 3500),
    ("Single Origin Coffee Beans 12oz", 1699), ("Bamboo Cutlery Set", 1999),
    ("Linen Apron", 2950), ("Matcha Cookie Box", 2499), ("Walnut Phone Stand", 2199),
    ("Cherry Blossom Candle", 1800), ("Stainless Tumbler 20oz", 2600),
)

SHOP_NAME = "Harbor & Pine"
SHOP_DOMAIN = "harborandpine.com"
SHOP_PHONE = "(800) 555-0199"

# Long tail of rarer surnames composed from common English name parts (Ashford, Whitley).
SURNAME_HEADS: tuple[str, ...] = (
    "Ash", "Black", "Brad", "Brook", "Craw", "Dun", "Fair", "Green", "Hart", "Hol",
    "Kings", "Lang", "Mar", "Mid", "North", "Red", "Rock", "Shel", "Stan", "Stock",
    "Thorn", "War", "Wes", "Whit", "Wood", "Win", "Ald", "Bur", "Chad", "Hay",
)
SURNAME_TAILS: tuple[str, ...] = (
    "ford", "well", "ley", "man", "field", "ton", "wood", "worth", "by", "ham",
    "more", "wick", "stone", "land", "son",
)

# Rarer given names (no common nickname), appended after the frequent ones.
MORE_MALE_GIVEN_NAMES: tuple[str, ...] = (
    "Wesley", "Spencer", "Grant", "Dustin", "Marcus", "Colin", "Ian", "Seth", "Trevor",
    "Derek", "Caleb", "Owen", "Lucas", "Gavin", "Miles", "Reid", "Dale", "Curtis", "Louis",
    "Vincent", "Oscar", "Felix", "Roland", "Troy", "Luis", "Carlos", "Hector", "Omar",
    "Rajesh", "Hiro", "Wei", "Arjun", "Kwame", "Tobias", "Elliot", "Quentin",
)
MORE_FEMALE_GIVEN_NAMES: tuple[str, ...] = (
    "Chloe", "Grace", "Sophia", "Natalie", "Leah", "Audrey", "Claire", "Paige", "Brooke",
    "Vanessa", "Tiffany", "Erin", "Molly", "Holly", "Vera", "Ingrid", "Rosa", "Lucia",
    "Carmen", "Priya", "Mei", "Yuki", "Aisha", "Fatima", "Naomi", "Sienna", "Harper",
    "Daisy", "Ivy", "Willa", "Freya", "Greta", "Norah", "Esme", "Tamsin", "Colette",
)
