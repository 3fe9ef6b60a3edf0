"""Catalog tables: fashion, bags, watches, jewellery and beauty. Parsed by `catalog.py`; the notation:

    cores     product words (unique across the catalog), as written in titles
    brands    'Name[*premium|.budget][xPRICE_FACTOR] {pinned key: value} (the cores it makes)', ';'-separated
    models    'Brand: Model = core {pins} | Model = core; Brand: ...'; a pin 'key: a/b' allows either value
    attrs     'key[~ ordered: a neighbour is partial][@core/core]: v, v, v', ';'-separated; first spec per key wins
    price     'lo-hi' for the mid tier; 'core: lo-hi' overrides
    adjacent  'category, category@core/core': neighbouring categories; '@' = only these words of ours neighbour it
    fits      'accessory word: device word, device word; ...' (accessory categories): what each accessory is for
    model_pins 'key, key': facts every model must pin (a model name fixes its screen size, its colours)
    negate    'key: family head' a negation query may exclude ("not leather")
    needs     (kind, "query | query", noun, "cores", gist, [(key, said, "good values", "partial values")]); a query
              text that names product words accepts only those (`catalog._needs`)
"""

SHOE_SIZES = "6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 13"
CLOTHES_SIZES = "XS, S, M, L, XL, XXL"

SPECS = [
    dict(key="footwear", name="Footwear", dept="Shoes", generic="shoes",
         cores="running shoes, trail running shoes, walking shoes, hiking boots, sneakers, sandals, loafers",
         brands="Hoka*x1.3 (running shoes, trail running shoes, walking shoes, hiking boots); On*x1.3 (running shoes, "
                "sneakers, trail running shoes); Nike (running shoes, trail running shoes, sneakers, sandals); "
                "Adidas (running shoes, sneakers, sandals); ASICS (running shoes, trail running shoes, walking "
                "shoes); Brooks (running shoes, walking shoes, trail running shoes); New Balance (running shoes, "
                "walking shoes, sneakers); Merrell (hiking boots, trail running shoes, sandals); Clarks (loafers, "
                "walking shoes, sandals); Skechers. (walking shoes, sneakers, running shoes); Amazon Essentials. "
                "(sneakers, loafers, sandals)",
         models="Nike: Pegasus 41 = running shoes {support: neutral} | Air Force 1 = sneakers {material: leather} | "
                "Pegasus Trail 5 = trail running shoes; Hoka: Clifton 9 = running shoes {support: neutral} | Arahi 7 "
                "= running shoes {support: stability} | Speedgoat 6 = trail running shoes; Brooks: Adrenaline GTS 24 "
                "= running shoes {support: stability} | Ghost 16 = running shoes {support: neutral}; ASICS: "
                "Gel-Kayano 31 = running shoes {support: stability} | Gel-Nimbus 26 = running shoes {support: "
                "neutral}; On: Cloud 5 = sneakers | Cloudmonster 2 = running shoes {support: neutral}; Merrell: Moab "
                "3 = hiking boots; Adidas: Ultraboost 5 = running shoes {support: neutral} | Samba OG = sneakers "
                "{material: leather}; New Balance: Fresh Foam 1080v14 = running shoes {support: neutral} | 990v6 = "
                "sneakers",
         attrs=f"colour: black, white, grey, navy, blue, red, olive, beige, pink; size~: {SHOE_SIZES}; gender: men, "
               "women, unisex; material@running shoes/trail running shoes: mesh, knit, synthetic; "
               "material@hiking boots: leather, nubuck, suede, synthetic; "
               "material@sandals: leather, rubber, synthetic; material@loafers: leather, suede; "
               "material: leather, suede, canvas, mesh, knit; support@running shoes: neutral, stability, motion "
               "control; cushioning@walking shoes/sneakers: maximum cushioning, moderate cushioning, "
               "minimal cushioning",
         price="80-150; sandals: 30-70; loafers: 60-130", adjacent="activewear", negate="material: leather",
         needs=[("qa", "what running shoes are good for flat feet | best running shoes for flat feet | which running "
                 "shoes help with overpronation", "running shoes", "running shoes",
                 "flat feet tend to overpronate, so they need stability or motion-control support",
                 [("support", "stability or motion-control support", "stability, motion control", "")]),
                ("knowledge", "shoes for a nurse on 12 hour shifts | shoes for standing all day at work",
                 "shoes", "walking shoes, sneakers", "standing for long shifts calls for well-cushioned shoes",
                 [("cushioning", "plenty of cushioning", "maximum cushioning", "moderate cushioning")])]),
    dict(key="apparel", name="Clothing", dept="Clothing",
         cores="T-shirt, hoodie, sweatshirt, jeans, chinos, sweater, cardigan, winter jacket, rain jacket",
         brands="Patagonia* (hoodie, sweater, winter jacket, rain jacket, T-shirt); The North Face* (winter jacket, "
                "rain jacket, hoodie); Ralph Lauren* (T-shirt, sweater, chinos, cardigan); Levi's (jeans, T-shirt, "
                "hoodie); Uniqlo (T-shirt, sweater, jeans, chinos, cardigan, winter jacket); Gap (hoodie, sweatshirt, "
                "jeans, T-shirt, chinos); Columbia (winter jacket, rain jacket, hoodie); Hanes. (T-shirt, sweatshirt, "
                "hoodie); Amazon Essentials.",
         models="Levi's: 501 Original = jeans | 511 Slim = jeans; The North Face: Nuptse = winter jacket {insulation: "
                "heavily insulated} | Antora = rain jacket; Patagonia: Torrentshell 3L = rain jacket | Down Sweater = "
                "winter jacket {insulation: insulated}; Columbia: Watertight II = rain jacket",
         attrs=f"colour: black, white, grey, heather grey, navy, blue, red, green, olive, beige, burgundy, pink; "
               f"size~: {CLOTHES_SIZES}; gender: men, women, unisex; material@T-shirt/hoodie/sweatshirt: cotton, "
               "organic cotton, polyester, recycled polyester; material@jeans/chinos: cotton, organic cotton; "
               "material@sweater/cardigan: wool, merino wool, lambswool, cotton, polyester; material@winter "
               "jacket/rain jacket: polyester, recycled polyester, nylon; insulation@winter jacket: lightly insulated, "
               "insulated, heavily insulated",
         price="20-70; winter jacket: 90-220; rain jacket: 60-150", adjacent="activewear",
         negate="material: polyester; material: wool",
         needs=[("knowledge", "coat for a winter in chicago | jacket for minus 20 degrees | warmest jacket for a ski "
                 "trip", "a jacket", "winter jacket", "temperatures far below freezing call for heavy insulation",
                 [("insulation", "heavy insulation", "heavily insulated", "insulated")])]),
    dict(key="activewear", name="Activewear", dept="Clothing",
         cores="leggings, sports bra, running shorts, track jacket",
         brands="Lululemon* (leggings, sports bra, running shorts, track jacket); Alo Yoga* (leggings, sports bra); "
                "Nike; Adidas (track jacket, running shorts, leggings); Under Armour; Gymshark (leggings, sports "
                "bra, running shorts); CRZ Yoga. (leggings, sports bra, running shorts); Baleaf. (leggings, running "
                "shorts)",
         models="Lululemon: Align = leggings | Wunder Train = leggings | Energy Bra = sports bra | Define = track "
                "jacket; Alo Yoga: Airbrush = leggings; CRZ Yoga: Butterluxe = leggings; Gymshark: Vital Seamless = "
                "leggings",
         attrs=f"colour: black, navy, grey, olive, burgundy, pink, purple, sage, blue; size~: {CLOTHES_SIZES}; "
               "gender@leggings/sports bra: women; gender: men, women, unisex; material: nylon, polyester, recycled "
               "polyester, cotton; opacity@leggings: squat-proof, semi-sheer",
         price="25-60", adjacent="apparel, footwear, fitness", negate="material: polyester",
         needs=[("qa", "leggings that are not see through when squatting | which leggings are squat proof",
                 "leggings", "leggings", "squats stretch thin fabric, so the leggings must stay opaque",
                 [("opacity", "squat-proof fabric", "squat-proof", "")])]),
    dict(key="handbags", name="Handbags & Backpacks", dept="Bags & Luggage",
         cores="tote bag, crossbody bag, shoulder bag, backpack, belt bag",
         brands="Louis Vuitton*x14 {material: canvas} (tote bag, crossbody bag, shoulder bag); Goyard*x12 {material: "
                "canvas} (tote bag); Coach* {material: leather} (tote bag, crossbody bag, shoulder bag); Longchamp* "
                "{material: nylon} (tote bag, backpack); Lululemon* (belt bag, backpack); "
                "Michael Kors; Kate Spade (tote bag, crossbody bag, shoulder bag); Herschel (backpack, belt bag, tote "
                "bag); JanSport. (backpack); Montana West. (tote bag, crossbody bag, shoulder bag); CLUCI. (tote bag, "
                "crossbody bag, shoulder bag)",
         models="Louis Vuitton: Neverfull MM = tote bag | Pochette Metis = crossbody bag | Speedy 25 = shoulder bag; "
                "Goyard: Saint Louis PM = tote bag; Longchamp: Le Pliage = tote bag {material: nylon}; Lululemon: "
                "Everywhere Belt Bag = belt bag {material: nylon}; Coach: Tabby 26 = shoulder bag; Herschel: Little "
                "America = backpack; JanSport: SuperBreak = backpack {material: polyester}",
         attrs="colour: black, brown, tan, cognac, beige, cream, navy, red, pink, burgundy, olive; material@tote "
               "bag/crossbody bag/shoulder bag: leather, full-grain leather, faux leather, canvas, nylon, suede; "
               "material: nylon, polyester, canvas, leather; laptop fit@tote bag/backpack: fits 15.6 inch laptop, "
               "fits 13 inch laptop, no laptop sleeve",
         price="60-170; backpack: 40-90; belt bag: 25-50", adjacent="luggage, camping@backpack",
         negate="material: leather",
         needs=[("qa", "work bag that fits a 15 inch laptop | which bag can hold a 15.6 inch laptop", "a work bag",
                 "tote bag, backpack", "a 15.6 inch laptop needs a bag with a sleeve at least that big",
                 [("laptop fit", "room for a 15.6 inch laptop", "fits 15.6 inch laptop", "fits 13 inch laptop")])]),
    dict(key="luggage", name="Luggage", dept="Bags & Luggage",
         cores="carry-on suitcase, checked suitcase, duffel bag, garment bag",
         brands="Rimowa*x5 {material: aluminium} (carry-on suitcase, checked suitcase); Away* {material: "
                "polycarbonate} (carry-on suitcase, checked suitcase); Samsonite; Travelpro {material: nylon}; Osprey "
                "{material: nylon/polyester} (duffel bag); Amazon Basics. (carry-on suitcase, checked suitcase, duffel "
                "bag); Coolife. (carry-on suitcase, checked suitcase)",
         models="Rimowa: Essential Cabin = carry-on suitcase {material: polycarbonate} | Original Check-In L = "
                "checked suitcase {material: aluminium}; Away: The Carry-On = carry-on suitcase | The Large = "
                "checked suitcase; Osprey: Transporter 65 = duffel bag",
         attrs="colour: black, navy, silver, grey, green, pink, blue, sage; material@carry-on suitcase/checked "
               "suitcase: polycarbonate, aluminium, ABS plastic, nylon; material: nylon, polyester, canvas, leather; "
               "capacity~@carry-on suitcase: 35 L, 40 L, 45 L; capacity~@checked suitcase: 65 L, 80 L, 100 L",
         price="60-180; checked suitcase: 90-250", adjacent="handbags", negate="material: plastic",
         needs=[("knowledge", "suitcase for a two week trip | luggage for a month in europe", "a suitcase",
                 "checked suitcase, carry-on suitcase", "two weeks of clothes need a large checked case, 80 L or more",
                 [("capacity", "80 L or more", "80 L, 100 L", "65 L")])]),
    dict(key="watches", name="Watches", dept="Jewelry & Watches",
         cores="dive watch, dress watch, chronograph, field watch", generic="watch",
         brands="Rolex*x30 {material: stainless steel} (dive watch, dress watch); Omega*x14 {material: stainless "
                "steel} (dive watch, chronograph, dress watch); Tudor*x10 (dive "
                "watch, chronograph); Seiko; Citizen; Tissot; Hamilton (field watch, chronograph, dress watch); "
                "Casio. (dive watch, field watch, chronograph); Timex. (field watch, dress watch, chronograph)",
         models="Rolex: Submariner Date = dive watch {water resistance: 300 m} | Datejust 36 = dress watch {water "
                "resistance: 100 m}; Omega: Seamaster Diver 300M = dive watch {water resistance: 300 m} | Speedmaster "
                "Moonwatch = chronograph {water resistance: 50 m}; Tudor: Black Bay 58 = dive watch {water resistance: "
                "200 m, colour: black}; Seiko: Prospex Turtle = dive watch {water resistance: 200 m} | Presage "
                "Cocktail Time = dress watch {water resistance: 50 m}; Casio: Duro MDV106 = dive watch {water "
                "resistance: 200 m}; Hamilton: Khaki Field Mechanical = field watch {water resistance: 50 m}; Tissot: "
                "PRX Powermatic 80 = dress watch {water resistance: 100 m}; Timex: Expedition Scout = field watch "
                "{water resistance: 50 m}",
         attrs="colour: black, blue, green, white, silver, gold; material: stainless steel, leather, rubber, nylon; "
               "gender: men, women, unisex; water resistance~@dive watch: 100 m, 200 m, 300 m; water "
               "resistance~: 30 m, 50 m, 100 m, 200 m",
         price="120-350", adjacent="smartwatches", negate="material: leather",
         needs=[("knowledge", "watch i can swim with | watch for swimming laps", "a watch", "dive watch, field watch, "
                 "chronograph, dress watch", "30 m is splash-proof only; swimming needs 100 m water resistance or more",
                 [("water resistance", "100 m water resistance or more", "100 m, 200 m, 300 m", "50 m")])]),
    dict(key="watch_accessories", name="Watch Accessories", dept="Jewelry & Watches",
         cores="watch strap, smartwatch band, watch winder", accessory_for="watches, smartwatches",
         fits="watch strap: dive watch, dress watch, chronograph, field watch; smartwatch band: smartwatch, fitness "
              "tracker; watch winder: dive watch, dress watch, chronograph, field watch",
         brands="Hirsch*x1.8 (watch strap); Barton (watch strap, smartwatch band); Nomad* (smartwatch band); Wolf*x3 "
                "(watch winder); Fullmosa. (watch strap, smartwatch band); Amazon Basics. (watch winder, smartwatch "
                "band)",
         attrs="colour: black, brown, tan, navy, blue, green, pink, grey; material@watch strap/smartwatch band: "
               "leather, silicone, nylon, stainless steel; compatible with@watch strap: @watches; compatible "
               "with@smartwatch band: @smartwatches",
         price="15-40; watch winder: 40-120", negate="material: leather"),
    dict(key="jewelry", name="Jewelry", dept="Jewelry & Watches", cores="necklace, earrings, bracelet, ring",
         brands="Cartier*x30 {material: 18k gold} (bracelet, ring, necklace); Tiffany & Co.*x6 {material: sterling "
                "silver}; Mejuri* {material: 14k gold}; Pandora {material: sterling silver}; Kendra Scott; "
                "Swarovski; PAVOI. {material: gold-plated brass}; Amazon Essentials. (earrings, necklace)",
         models="Cartier: Love = bracelet | Juste un Clou = bracelet; Tiffany & Co.: Return to Tiffany Heart Tag = "
                "necklace; Pandora: Moments Snake Chain = bracelet",
         attrs="colour: gold, rose gold, silver; material: sterling silver, 14k gold, 18k gold, gold-plated brass, "
               "stainless steel; size~@ring: 5, 6, 7, 8, 9; nickel: nickel-free, contains nickel",
         price="40-120",
         needs=[("knowledge", "earrings for sensitive ears | earrings that wont irritate my ears", "earrings",
                 "earrings", "sensitive ears react to nickel, so the earrings should be nickel-free",
                 [("nickel", "nickel-free metal", "nickel-free", "")])]),
    dict(key="fragrance", name="Fragrance", dept="Beauty", cores="eau de parfum, eau de toilette, body mist",
         generic="perfume",
         brands="Le Labo*x2 (eau de parfum); Maison Francis Kurkdjian*x3 (eau de parfum); Chanel* (eau de parfum, eau "
                "de toilette); Dior* (eau de parfum, eau de toilette); Tom Ford*x3 (eau de parfum); Versace (eau de "
                "toilette, eau de parfum); Calvin Klein (eau de toilette); Dossier. (eau de parfum); Zara. (eau de "
                "toilette); Bath & Body Works. (body mist)",
         models="Le Labo: Santal 33 = eau de parfum {gender: unisex, scent family: woody}; Maison Francis Kurkdjian: "
                "Baccarat Rouge 540 = eau de parfum {gender: unisex, scent family: amber}; Chanel: Coco Mademoiselle "
                "= eau de parfum {gender: women, scent family: floral}; Dior: Sauvage = eau de toilette {gender: "
                "men, scent family: fresh}; Tom Ford: Tobacco Vanille = eau de parfum {gender: unisex, scent family: "
                "amber}; Versace: Eros = eau de toilette {gender: men, scent family: fresh}",
         attrs="gender: men, women, unisex; volume~: 30 ml, 50 ml, 100 ml; scent family: woody, floral, fresh, amber, "
               "citrus",
         price="45-110; body mist: 12-25", adjacent="skincare"),
    dict(key="skincare", name="Skin Care", dept="Beauty",
         cores="moisturizer, cleanser, serum, sunscreen, toner, eye cream",
         brands="La Mer*x6 (moisturizer, serum, eye cream); Drunk Elephant* {scent: unscented} (moisturizer, serum, "
                "cleanser); Tatcha* (moisturizer, cleanser); La Roche-Posay (sunscreen, moisturizer, cleanser); "
                "Clinique {scent: unscented} (moisturizer, cleanser, toner); Paula's Choice (toner, serum); Supergoop! "
                "(sunscreen); CeraVe. {scent: unscented} (moisturizer, cleanser, sunscreen, eye cream); The Ordinary. "
                "{scent: unscented} (serum, toner, moisturizer); Neutrogena.",
         models="La Mer: Creme de la Mer = moisturizer {skin type: dry}; Drunk Elephant: Protini Polypeptide Cream = "
                "moisturizer | C-Firma Fresh = serum {key ingredient: vitamin C}; Tatcha: The Water Cream = "
                "moisturizer {skin type: oily}; CeraVe: Moisturizing Cream = moisturizer {skin type: dry, scent: "
                "unscented} | Hydrating Facial Cleanser = cleanser {skin type: dry} | Acne Foaming Cream Cleanser = "
                "cleanser {key ingredient: benzoyl peroxide}; The Ordinary: Niacinamide 10% + Zinc 1% = serum {key "
                "ingredient: niacinamide}; Paula's Choice: 2% BHA Liquid Exfoliant = toner {key ingredient: salicylic "
                "acid}; La Roche-Posay: Anthelios Melt-in Milk SPF 60 = sunscreen",
         attrs="skin type: dry, oily, combination, sensitive, all skin types; scent: unscented, lavender, rose, "
               "citrus; key ingredient: hyaluronic acid, niacinamide, salicylic acid, benzoyl peroxide, retinol, "
               "vitamin C, ceramides; volume~@eye cream/serum: 15 ml, 30 ml, 50 ml; volume~: 30 ml, 50 ml, 100 ml, "
               "200 ml",
         price="12-40", adjacent="makeup, fragrance", negate="scent: fragrance",
         needs=[("qa", "what moisturizer is good for oily skin | best moisturizer for oily skin", "a moisturizer",
                 "moisturizer", "oily skin wants a light moisturizer made for oily skin",
                 [("skin type", "a formula for oily skin", "oily", "combination, all skin types")]),
                ("knowledge", "skincare for teenage acne | something for my teenager's breakouts", "skincare",
                 "cleanser, serum, toner", "acne responds to salicylic acid or benzoyl peroxide",
                 [("key ingredient", "an acne-fighting ingredient", "salicylic acid, benzoyl peroxide",
                   "niacinamide, retinol")])]),
    dict(key="makeup", name="Makeup", dept="Beauty",
         cores="foundation, tinted moisturizer, concealer, lipstick, mascara",
         brands="Charlotte Tilbury* (foundation, lipstick, concealer); Dior* (lipstick, foundation); NARS* "
                "(concealer, foundation, tinted moisturizer); Fenty Beauty (foundation, concealer, lipstick); MAC "
                "(lipstick, foundation); Maybelline. (mascara, foundation, concealer, lipstick); e.l.f.. ; L'Oreal "
                "Paris.",
         models="Charlotte Tilbury: Matte Revolution Pillow Talk = lipstick {colour: nude} | Airbrush Flawless = "
                "foundation; Fenty Beauty: Pro Filt'r Soft Matte = foundation {finish: matte}; NARS: Radiant Creamy "
                "= concealer | Pure Radiant Tinted Moisturizer = tinted moisturizer {finish: dewy}; Maybelline: Lash "
                "Sensational = mascara | Fit Me Matte + Poreless = foundation {finish: matte}",
         attrs="colour@lipstick: red, crimson, pink, rose, nude, berry, plum; shade~@foundation/concealer/tinted "
               "moisturizer: fair, light, medium, tan, deep; finish@foundation/tinted moisturizer: matte, satin, "
               "dewy; formula@mascara: waterproof, washable; colour@mascara: black, brown",
         price="8-30", adjacent="skincare", negate="formula: waterproof",
         needs=[("qa", "what foundation is best for oily skin | foundation that doesnt get shiny", "foundation",
                 "foundation", "oily skin shines through dewy finishes; a matte finish controls it",
                 [("finish", "a matte finish", "matte", "satin")])]),
    dict(key="hair_tools", name="Hair Tools", dept="Beauty",
         cores="hair dryer, hair straightener, curling iron, hot air brush, multi-styler",
         brands="Dyson*x3 {attachments: diffuser included} (hair dryer, hair straightener, multi-styler); GHD* (hair "
                "straightener, hair dryer, curling iron); Shark (multi-styler, hair dryer); BaBylissPRO (hair dryer, "
                "hair straightener, curling iron); Revlon. (hot air brush, hair dryer, hair straightener); Conair. "
                "(hair dryer, curling iron, hair straightener, hot air brush)",
         models="Dyson: Supersonic = hair dryer {attachments: diffuser included} | Airwrap = multi-styler | Airstrait "
                "= hair straightener; Shark: FlexStyle = multi-styler; Revlon: One-Step Volumizer = hot air brush; "
                "GHD: Platinum+ = hair straightener",
         attrs="colour: black, pink, purple, white, rose gold, blue, grey; attachments@hair dryer/multi-styler: "
               "diffuser included, no diffuser; plate material@hair straightener: ceramic, titanium",
         price="30-90",
         needs=[("qa", "which hair dryer is good for curly hair | what should i dry curly hair with", "a hair tool",
                 "hair dryer, multi-styler", "curls keep their shape when dried with a diffuser",
                 [("attachments", "a diffuser", "diffuser included", "")])]),
]

KIN = [
    "running shoes ~ trail running shoes", "running shoes ~ walking shoes", "walking shoes ~ sneakers",
    "hiking boots ~ trail running shoes", "hoodie ~ sweatshirt", "sweater ~ cardigan", "jeans ~ chinos",
    "winter jacket ~ rain jacket", "tote bag ~ shoulder bag", "crossbody bag ~ shoulder bag",
    "crossbody bag ~ belt bag",
    "carry-on suitcase ~ checked suitcase", "duffel bag ~ carry-on suitcase", "dive watch ~ field watch",
    "dress watch ~ chronograph", "eau de parfum ~ eau de toilette", "eau de toilette ~ body mist",
    "moisturizer ~ tinted moisturizer", "foundation ~ tinted moisturizer", "foundation ~ concealer",
    "hot air brush ~ multi-styler", "hair dryer ~ multi-styler", "hair straightener ~ multi-styler",
    "backpack ~ hiking backpack",
]
