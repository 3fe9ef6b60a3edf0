"""Catalog tables: toys, games, fitness, bikes, camping, pets, baby. Notation: see `tables_fashion.py`."""

SPECS = [
    dict(key="toys", name="Toys", dept="Toys & Games", generic="toy",
         cores="building set, plush toy, action figure, play set, doll, remote control car",
         brands="LEGO* (building set); Jellycat* (plush toy); Melissa & Doug (play set, plush toy); Hasbro (action "
                "figure, play set); Mattel (doll, play set, action figure); Schleich (action figure, play set); "
                "Squishmallows (plush toy); Mega Bloks. {age: ages 0-2} (building set); Hot Wheels. (play set, "
                "remote control car)",
         models="LEGO: Jurassic World T. rex Breakout = building set {theme: dinosaurs, age: ages 6-8} | City Fire "
                "Station = building set {theme: vehicles, age: ages 6-8} | Creator 3in1 Space Shuttle = building set "
                "{theme: space, age: ages 6-8}; Jellycat: Bashful "
                "Bunny = plush toy {theme: animals}; Mattel: Barbie Dreamhouse = play set {theme: dolls and "
                "princesses}",
         attrs="theme: dinosaurs, space, vehicles, animals, dolls and princesses, superheroes, science; age: ages "
               "0-2, ages 3-5, ages 6-8, ages 9-12",
         price="15-60", adjacent="games",
         needs=[("knowledge", "gift for a 5 year old who likes dinosaurs | present for my dino obsessed 5 year old",
                 "a gift", "building set, plush toy, action figure, play set", "a 5 year old needs a toy made for ages "
                 "3-5 or so, and this one loves dinosaurs", [("theme", "a dinosaur theme", "dinosaurs", ""),
                                                             ("age", "an age range that includes 5", "ages 3-5",
                                                              "ages 6-8")]),
                ("knowledge", "stem toy for a 10 year old | science gift for a curious 10 year old", "a gift",
                 "building set, play set, remote control car", "a 10 year old wants a science or space toy made for "
                 "ages 9-12", [("theme", "a science or space theme", "science, space", ""),
                               ("age", "ages 9-12", "ages 9-12", "ages 6-8")])]),
    dict(key="games", name="Games & Puzzles", dept="Toys & Games",
         cores="board game, card game, party game, jigsaw puzzle",
         brands="Stonemaier Games (board game); Catan Studio (board game); Hasbro (board game, card game); Mattel "
                "(card game); Exploding Kittens (card game, party game); Ravensburger (jigsaw puzzle, board game); "
                "Cards Against Humanity (party game); What Do You Meme (party game); Buffalo Games. (jigsaw puzzle)",
         models="Stonemaier Games: Wingspan = board game {age: ages 10+}; Catan Studio: Catan = board game {age: ages "
                "10+}; Hasbro: Monopoly Classic = board game {age: ages 8+}; Mattel: UNO = card game {age: ages 6+}; "
                "Exploding Kittens: Original Edition = card game {age: ages 6+}; Cards Against Humanity: Main Game = "
                "party game {age: ages 17+}",
         attrs="age@party game: ages 14+, ages 17+; age: ages 6+, ages 8+, ages 10+, ages 14+; players@party "
               "game: 3-8 players, 4-20 players; players@board game/card game: 1-4 players, 2-4 players, 2-6 "
               "players; pieces@jigsaw puzzle: 500 pieces, 1000 pieces, 2000 pieces",
         price="15-45", adjacent="toys",
         needs=[("knowledge", "game for family night with a 7 year old | board game the whole family can play with "
                 "young kids", "a family game", "board game, card game", "a 7 year old can play games rated 6+",
                 [("age", "a 6+ age rating", "ages 6+", "ages 8+")])]),
    dict(key="fitness", name="Exercise & Fitness", dept="Sports & Outdoors",
         cores="dumbbells, kettlebell, yoga mat, resistance bands, treadmill, exercise bike",
         brands="Peloton*x1.6 (exercise bike, treadmill); Rogue* (kettlebell, dumbbells); Manduka* (yoga mat); "
                "Lululemon* {material: natural rubber} (yoga mat); Bowflex (dumbbells, treadmill); NordicTrack "
                "(treadmill, exercise bike); Gaiam. {material: PVC} (yoga mat, resistance bands); Amazon Basics. "
                "(dumbbells, kettlebell, yoga mat, resistance bands); Fit Simplify. (resistance bands)",
         models="Bowflex: SelectTech 552 = dumbbells {type: adjustable}; Peloton: Bike+ = exercise bike | Tread = "
                "treadmill; Manduka: PRO = yoga mat {thickness: 6 mm, material: PVC}; Lululemon: The Mat 5mm = yoga "
                "mat {thickness: 5 mm, material: natural rubber}",
         attrs="colour@yoga mat/resistance bands/dumbbells/kettlebell: black, purple, blue, pink, grey, sage; "
               "type@dumbbells: adjustable, fixed; weight~@dumbbells/kettlebell: 10 lb, 15 lb, 20 lb, 25 lb, 35 lb; "
               "thickness~@yoga mat: 3 mm, 4 mm, 5 mm, 6 mm, 8 mm; material@yoga mat: natural rubber, TPE, PVC, "
               "cork; material@resistance bands: latex, TPE, fabric",
         price="25-90; treadmill: 600-1500; exercise bike: 400-1200", adjacent="activewear",
         negate="material: PVC; material: latex",
         needs=[("knowledge", "dumbbells for a small apartment | weights that dont take up space", "dumbbells",
                 "dumbbells", "one adjustable pair replaces a whole rack of fixed weights",
                 [("type", "an adjustable set", "adjustable", "")]),
                ("qa", "what yoga mat is best for bad knees | thick yoga mat for sensitive joints", "a yoga mat",
                 "yoga mat", "sore knees need a thick mat, 6 mm or more", [("thickness", "6 mm or more", "6 mm, 8 mm",
                                                                         "5 mm")])]),
    dict(key="bikes", name="Bikes", dept="Sports & Outdoors", generic="bike",
         cores="road bike, mountain bike, hybrid bike, electric bike, kids bike",
         brands="Specialized* (road bike, mountain bike, electric bike); Trek (road bike, mountain bike, hybrid bike, "
                "kids bike); Cannondale (road bike, mountain bike, hybrid bike); Giant (road bike, mountain bike, "
                "hybrid bike); Rad Power Bikes (electric bike); Aventon (electric bike); Schwinn. (hybrid bike, kids "
                "bike, mountain bike); Huffy. (kids bike, mountain bike)",
         models="Trek: FX 2 = hybrid bike | Marlin 5 = mountain bike | Domane AL 2 = road bike; Specialized: Allez = "
                "road bike | Rockhopper = mountain bike | Turbo Vado = electric bike; Giant: Escape 3 = hybrid bike; "
                "Rad Power Bikes: RadCity 5 Plus = electric bike; Aventon: Level.2 = electric bike",
         attrs="colour: black, blue, red, white, green, grey; frame size~@road bike/mountain bike/hybrid "
               "bike/electric bike: XS, S, M, L, XL; wheel size~@kids bike: 12 in, 16 in, 20 in, 24 in",
         price="450-1100; electric bike: 1200-2000; kids bike: 120-260",
         needs=[("knowledge", "bike for commuting to work in the city | bike for riding to the office", "a bike",
                 "hybrid bike, electric bike", "city commuting suits an upright hybrid or an e-bike", []),
                ("knowledge", "bike for a 5 year old | first pedal bike for my 5 year old", "a bike", "kids bike",
                 "most 5 year olds fit 16 inch wheels", [("wheel size", "16 inch wheels", "16 in", "20 in, 12 in")])]),
    dict(key="camping", name="Camping & Hiking", dept="Sports & Outdoors",
         cores="tent, sleeping bag, hiking backpack, camping stove, headlamp",
         brands="MSR* (tent, camping stove); Big Agnes* (tent, sleeping bag); The North Face* (tent, sleeping bag, "
                "hiking backpack); REI Co-op (tent, sleeping bag, hiking backpack); Osprey (hiking backpack); Jetboil "
                "(camping stove); Black Diamond (headlamp); Kelty (tent, sleeping bag); Coleman. (tent, sleeping bag, "
                "camping stove)",
         models="Coleman: Sundome = tent {season: 3-season}; MSR: Hubba Hubba = tent {capacity: 2-person} | "
                "PocketRocket 2 = camping stove; Osprey: Atmos AG 65 = hiking backpack {capacity: 65 L}; Jetboil: "
                "Flash = camping stove; Big Agnes: Copper Spur HV UL2 = tent {capacity: 2-person}; Black Diamond: "
                "Spot 400 = headlamp",
         attrs="colour: green, orange, grey, blue, red, black, olive; capacity~@tent: 1-person, 2-person, 4-person, "
               "6-person; season@tent: 3-season, 4-season; temperature rating~@sleeping bag: 40°F, 20°F, 0°F; "
               "capacity~@hiking backpack: 30 L, 45 L, 65 L",
         price="40-160; tent: 120-400; hiking backpack: 90-250", adjacent="handbags@hiking backpack",
         needs=[("knowledge", "sleeping bag for winter camping | sleeping bag for snow camping", "a sleeping bag",
                 "sleeping bag", "winter nights need a bag rated to about 0°F",
                 [("temperature rating", "a 0°F rating", "0°F", "20°F")]),
                ("knowledge", "tent for a family of four | tent for camping with two kids", "a tent", "tent",
                 "four people need a tent for at least four", [("capacity", "room for four", "4-person, 6-person",
                                                                "")])]),
    dict(key="pets", name="Pet Supplies", dept="Pet Supplies",
         cores="dog bed, dog harness, dog collar, cat tree, litter box",
         brands="Big Barker*x2 {type: orthopedic memory foam} (dog bed); Litter-Robot*x4 (litter box); Ruffwear* (dog "
                "harness, dog collar); Furhaven (dog bed, cat tree); Julius-K9 (dog harness); PetSafe (dog harness, "
                "litter box, dog collar); Frisco. (dog bed, cat tree, litter box, dog collar)",
         models="Ruffwear: Front Range = dog harness {type: front-clip no-pull}; Julius-K9: IDC Powerharness = dog "
                "harness {type: back-clip}; PetSafe: Easy Walk = dog harness {type: front-clip no-pull}",
         attrs="colour: black, grey, blue, red, green, pink, brown; size~@dog bed/dog harness/dog collar: S, M, L, "
               "XL; type@dog bed: orthopedic memory foam, bolster, flat cushion; type@dog harness: front-clip "
               "no-pull, back-clip",
         price="30-80; dog harness: 18-40; dog collar: 10-25; cat tree: 60-150; litter box: 25-60",
         needs=[("knowledge", "bed for a senior dog with arthritis | dog bed for an old lab with joint pain",
                 "a dog bed", "dog bed", "arthritic joints need orthopedic memory foam",
                 [("type", "orthopedic support", "orthopedic memory foam", "bolster")]),
                ("qa", "what harness stops a dog from pulling | harness for a dog that pulls on the lead",
                 "a harness", "dog harness", "a front clip turns a pulling dog towards you",
                 [("type", "a front-clip no-pull design", "front-clip no-pull", "")])]),
    dict(key="baby", name="Baby Gear", dept="Baby",
         cores="stroller, car seat, baby carrier, high chair, baby monitor",
         brands="UPPAbaby*x1.5 (stroller); Nuna*x1.5 (car seat, stroller, high chair); BabyBjorn* (baby carrier); "
                "Nanit* (baby monitor); Chicco (stroller, car seat, high chair); Ergobaby (baby carrier); Infant "
                "Optics (baby monitor); Graco. (stroller, car seat, high chair); Evenflo. (car seat, high chair)",
         models="UPPAbaby: Vista V2 = stroller {type: full-size} | Minu V2 = stroller {type: lightweight travel}; "
                "Nuna: PIPA urbn = car seat {type: infant (rear-facing)}; Chicco: KeyFit 35 = car seat {type: infant "
                "(rear-facing)}; Graco: 4Ever DLX = car seat {type: all-in-one}; Ergobaby: Omni 360 = baby carrier; "
                "Nanit: Pro = baby monitor",
         attrs="colour: black, grey, navy, beige, sage, blush; type@car seat: infant (rear-facing), convertible, "
               "all-in-one, booster; type@stroller: full-size, lightweight travel, jogging, double",
         price="80-300; baby carrier: 60-180",
         needs=[("knowledge", "car seat for a newborn | car seat to bring the baby home from hospital", "a car seat",
                 "car seat", "a newborn rides rear-facing in an infant seat; boosters are for big kids",
                 [("type", "a rear-facing infant fit", "infant (rear-facing)", "convertible, all-in-one")]),
                ("knowledge", "stroller i can run with | stroller for jogging", "a stroller", "stroller",
                 "running needs a jogging stroller with a fixed front wheel", [("type", "a jogging design",
                                                                             "jogging", "")])]),
]

KIN = [
    "action figure ~ play set", "doll ~ play set", "board game ~ card game", "card game ~ party game",
    "dumbbells ~ kettlebell", "treadmill ~ exercise bike", "hybrid bike ~ road bike", "hybrid bike ~ mountain bike",
    "hybrid bike ~ electric bike", "dog harness ~ dog collar", "stroller ~ baby carrier",
]
