"""Regenerate ``data/sample_corpus.jsonl``: the embedded pt-PT / pt-BR sample.

Every sentence below was written for this project (nothing is copied from
``../shared/data``). The output is deterministic: the same seed gives a
byte-identical file, which ``tests/test_sample_corpus.py`` checks.

Usage::

    .venv/bin/python data/make_sample_corpus.py            # writes data/sample_corpus.jsonl
    .venv/bin/python data/make_sample_corpus.py --out X    # writes X and X's defects manifest

Next to the corpus it writes ``sample_corpus_defects.json``: for every
deliberately planted defect, the ids of the rows that carry it and the rule
of the ``ptvid`` preset (``pipeline/recipe/presets/ptvid.yaml``) that should handle it (``null`` where the
point is that the text must *survive* every rule, e.g. a leading year).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 20240917
HERE = Path(__file__).resolve().parent
PT, BR = "pt-PT", "pt-BR"

# --------------------------------------------------------------------------
# Sentence pools, one per (domain, variety). Rows join a few of them.
# --------------------------------------------------------------------------

JOURNALISTIC = {
    PT: [
        "O Governo aprovou esta quinta-feira, em Conselho de Ministros, um pacote de apoio às famílias afetadas pela subida das rendas.",
        "Segundo a PSP, o autocarro despistou-se na descida da Calçada de Carriche, não havendo registo de feridos graves.",
        "A equipa técnica do FC Porto recusou comentar as declarações do treinador adversário no final do jogo.",
        "Contactada pela agência Lusa, a autarquia garantiu que as obras no túnel estarão concluídas até ao final do verão.",
        "O facto de o concurso ter ficado deserto obriga o município a repetir todo o procedimento.",
        "Os moradores queixam-se de que o comboio das 7h40 chega sistematicamente atrasado à estação de Sintra.",
        "A ministra da Saúde disse estar a acompanhar a situação nas urgências do Hospital de Santa Maria.",
        "De acordo com o Instituto Nacional de Estatística, a taxa de desemprego desceu para 6,4% no último trimestre.",
        "Os bombeiros estiveram a combater as chamas durante toda a madrugada, com o apoio de dois meios aéreos.",
        "O suspeito, de 34 anos, foi detido pela Polícia Judiciária e vai ser presente a um juiz de instrução.",
        "A operadora recomenda aos clientes que mantenham o telemóvel atualizado para evitar burlas por mensagem.",
        "O presidente da câmara do Porto anunciou que o metro vai passar a circular até à uma da manhã às sextas-feiras.",
        "Em comunicado, a empresa explica que o contacto com os trabalhadores dispensados será feito nos próximos dias.",
        "A Proteção Civil mantém o aviso laranja para os distritos de Viseu, Guarda e Castelo Branco.",
        "Milhares de adeptos encheram as ruas de Guimarães para receber a equipa depois da conquista da taça.",
        "O preço do gasóleo vai descer dois cêntimos por litro na próxima segunda-feira, segundo fonte do setor.",
        "A investigação está a decorrer e, para já, as autoridades não adiantam mais pormenores.",
        "Os sindicatos dos professores marcaram uma greve nacional para o início do segundo período.",
        "O festival regressa a Paredes de Coura em agosto, com bilhetes diários a 65 euros.",
        "A exposição pode ser visitada no Museu Nacional de Arte Antiga até ao fim de janeiro.",
        "Diz-se nos bastidores que o novo selecionador já terá escolhido os jogadores para o estágio de março.",
        "O autarca lembrou que a freguesia está há três anos à espera de um centro de saúde.",
    ],
    BR: [
        "O governo federal anunciou nesta quinta-feira um pacote de medidas para conter a alta dos aluguéis nas capitais.",
        "Segundo a Polícia Militar, o ônibus perdeu o controle na descida da serra e ninguém ficou gravemente ferido.",
        "A comissão técnica do Corinthians preferiu não comentar as declarações do técnico adversário após a partida.",
        "Procurada pela reportagem, a prefeitura afirmou que as obras do viaduto devem terminar até o fim do ano.",
        "O fato de a licitação não ter recebido propostas obriga o município a refazer todo o processo.",
        "Os moradores reclamam que o trem das 7h40 chega sempre atrasado à estação da Luz.",
        "A ministra da Saúde disse que está acompanhando de perto a situação dos prontos-socorros do Rio de Janeiro.",
        "De acordo com o IBGE, a taxa de desemprego caiu para 7,8% no trimestre encerrado em junho.",
        "Os bombeiros passaram a madrugada inteira combatendo o incêndio, com o apoio de dois helicópteros.",
        "O suspeito, de 34 anos, foi preso em flagrante pela Polícia Civil e deve passar por audiência de custódia.",
        "A operadora recomenda que os clientes mantenham o celular atualizado para evitar golpes por mensagem.",
        "O prefeito de São Paulo anunciou que o metrô vai funcionar até a uma da manhã às sextas-feiras.",
        "Em nota, a empresa explica que o contato com os funcionários demitidos será feito nos próximos dias.",
        "A Defesa Civil mantém o alerta de chuvas fortes para a região metropolitana de Belo Horizonte.",
        "Milhares de torcedores tomaram as ruas de Porto Alegre para receber o time depois do título.",
        "O preço da gasolina vai cair dez centavos por litro a partir de segunda-feira, segundo a Petrobras.",
        "A investigação está em andamento e, por enquanto, as autoridades não dão mais detalhes.",
        "Os sindicatos dos professores marcaram uma greve estadual para o começo do segundo semestre.",
        "O festival volta a Recife em setembro, com ingressos a partir de 120 reais.",
        "A exposição pode ser visitada na Pinacoteca até o fim de janeiro, de terça a domingo.",
        "Nos bastidores, comenta-se que o novo técnico da seleção já escolheu os jogadores para a convocação de março.",
        "O vereador lembrou que o bairro espera há três anos pela construção de uma unidade básica de saúde.",
    ],
}

LITERATURE = {
    PT: [
        "A rapariga ficou à janela a ver passar o comboio, com as mãos frias encostadas ao vidro.",
        "— Estás a ouvir-me? — perguntou a avó, sem levantar os olhos da costura.",
        "Naquela casa, o pequeno-almoço era sempre servido às oito em ponto, chovesse ou fizesse sol.",
        "Ele estava a descascar laranjas na cozinha quando ouviu bater à porta.",
        "Lembro-me do cheiro a maresia que entrava pelas frinchas do sótão nas noites de inverno.",
        "O miúdo correu pela rua abaixo, a gritar o nome do cão que fugira outra vez.",
        "Não te esqueças de fechar a porta da casa de banho, que o gato anda a roer as toalhas.",
        "Passámos a tarde sentados no muro do adro, a contar os autocarros que subiam para a vila.",
        "A minha mãe guardava as cartas do meu pai numa caixa de lata, atadas com uma fita azul.",
        "Havia no olhar dele qualquer coisa de cansado, como quem já não espera nada do dia seguinte.",
        "Disse-lhe que voltaria antes do Natal, mas sabia bem que estava a mentir.",
        "O senhor Joaquim tirou o chapéu, cumprimentou toda a gente e sentou-se ao fundo da tasca.",
        "Tu nunca percebeste porque é que eu chorava sempre que ouvia aquele fado.",
        "Ao fim da tarde, as gaivotas pousavam nos telhados e a cidade ficava cor de cobre.",
        "Vou contar-te uma coisa, mas tens de prometer que não dizes a ninguém.",
        "A professora chamou-me ao quadro e eu fiquei ali parado, com o giz a tremer entre os dedos.",
        "Quando o autocarro parou na aldeia, já a noite tinha caído sobre os castanheiros.",
        "Estava a chover há três dias e o rio começava a galgar as margens junto ao moinho.",
        "Ela sorriu-lhe de longe, e bastou isso para que ele esquecesse a viagem inteira.",
        "Pus a chávena na mesa, fui buscar o casaco e saí sem dizer nada.",
    ],
    BR: [
        "A moça ficou na janela vendo o trem passar, com as mãos geladas encostadas no vidro.",
        "— Você está me ouvindo? — perguntou a avó, sem tirar os olhos da costura.",
        "Naquela casa, o café da manhã era servido às oito em ponto, fizesse chuva ou sol.",
        "Ele estava descascando laranjas na cozinha quando ouviu alguém bater na porta.",
        "Me lembro do cheiro de maresia que entrava pelas frestas do sótão nas noites de inverno.",
        "O menino desceu a rua correndo, gritando o nome do cachorro que tinha fugido de novo.",
        "Não esquece de fechar a porta do banheiro, que o gato anda roendo as toalhas.",
        "A gente passou a tarde sentado no muro da igreja, contando os ônibus que subiam para a cidade.",
        "Minha mãe guardava as cartas do meu pai numa lata de biscoito, amarradas com uma fita azul.",
        "Tinha no olhar dele alguma coisa de cansado, como quem já não espera nada do dia seguinte.",
        "Eu disse pra ela que voltaria antes do Natal, mas sabia muito bem que estava mentindo.",
        "Seu Joaquim tirou o chapéu, cumprimentou todo mundo e se sentou no fundo do boteco.",
        "Você nunca entendeu por que eu chorava toda vez que tocava aquele samba.",
        "No fim da tarde, as garças pousavam nos telhados e a cidade ficava cor de cobre.",
        "Vou te contar uma coisa, mas você tem que prometer que não conta pra ninguém.",
        "A professora me chamou no quadro e eu fiquei ali parado, com o giz tremendo entre os dedos.",
        "Quando o ônibus parou no povoado, a noite já tinha caído sobre os cajueiros.",
        "Fazia três dias que chovia e o rio começava a transbordar perto do moinho.",
        "Ela sorriu pra ele de longe, e isso bastou para ele esquecer a viagem inteira.",
        "Coloquei a xícara na mesa, peguei o casaco e saí sem dizer nada.",
    ],
}

LEGAL = {
    PT: [
        "O arguido foi condenado na pena de três anos de prisão, suspensa na sua execução por igual período.",
        "Nos termos do artigo 410.º do Código de Processo Penal, o recurso pode ter como fundamento qualquer questão de direito.",
        "O Supremo Tribunal de Justiça negou provimento ao recurso e confirmou o acórdão recorrido.",
        "O contrato de arrendamento considera-se celebrado por prazo certo, salvo estipulação em contrário.",
        "Compete ao senhorio provar o facto constitutivo do direito que invoca.",
        "A ré não contestou a ação, pelo que se consideram confessados os factos articulados pela autora.",
        "O prazo para a interposição de recurso é de trinta dias a contar da notificação da decisão.",
        "O tribunal a quo deu como provado que o arguido conduzia com uma taxa de álcool no sangue de 1,6 g/l.",
        "A presente lei entra em vigor no dia seguinte ao da sua publicação em Diário da República.",
        "Sem prejuízo do disposto no número anterior, o trabalhador tem direito a 22 dias úteis de férias.",
        "Os herdeiros habilitados requereram a partilha dos bens deixados pelo inventariado.",
        "A decisão da primeira instância não merece qualquer censura, devendo ser mantida nos seus precisos termos.",
        "O Ministério Público deduziu acusação contra os três arguidos pela prática de um crime de burla qualificada.",
        "A notificação presume-se feita no terceiro dia posterior ao do registo.",
        "Custas pela recorrente, sem prejuízo do apoio judiciário de que beneficia.",
        "A entidade empregadora deve comunicar à Autoridade para as Condições do Trabalho qualquer acidente grave.",
        "É nula a cláusula que exclua a responsabilidade do fornecedor por danos causados ao consumidor.",
        "O requerente alega que não foi ouvido antes da decisão, o que constitui violação do princípio do contraditório.",
        "Acordam os juízes desembargadores em julgar improcedente a apelação.",
        "O condomínio deliberou, em assembleia, a realização de obras urgentes na cobertura do prédio.",
    ],
    BR: [
        "O réu foi condenado à pena de três anos de reclusão, em regime inicial aberto, substituída por duas penas restritivas de direitos.",
        "Nos termos do art. 1.022 do Código de Processo Civil, cabem embargos de declaração contra qualquer decisão judicial.",
        "O Superior Tribunal de Justiça negou provimento ao recurso especial e manteve o acórdão recorrido.",
        "O contrato de locação vigorará por prazo determinado de trinta meses, podendo ser renovado mediante acordo.",
        "Incumbe ao autor o ônus da prova quanto ao fato constitutivo de seu direito.",
        "A ré não apresentou contestação, razão pela qual foi decretada sua revelia.",
        "O prazo para interposição da apelação é de quinze dias úteis, contados da intimação da sentença.",
        "O juízo de origem reconheceu que o acusado dirigia sob influência de álcool, conforme o teste do bafômetro.",
        "Esta lei entra em vigor na data de sua publicação, revogadas as disposições em contrário.",
        "O empregado terá direito a trinta dias corridos de férias após cada período de doze meses de trabalho.",
        "Os herdeiros requereram a abertura do inventário e a nomeação do inventariante.",
        "A sentença de primeiro grau não merece reparos, devendo ser mantida por seus próprios fundamentos.",
        "O Ministério Público ofereceu denúncia contra os três acusados pela prática do crime de estelionato.",
        "A intimação considera-se realizada no dia em que o advogado consultar o teor da decisão no sistema eletrônico.",
        "Custas e honorários advocatícios pelo apelante, fixados em dez por cento sobre o valor da causa.",
        "O empregador deve emitir a Comunicação de Acidente de Trabalho até o primeiro dia útil seguinte ao ocorrido.",
        "É nula de pleno direito a cláusula contratual que impossibilite o consumidor de reclamar indenização.",
        "O impetrante sustenta que não foi intimado antes da decisão, o que viola o contraditório e a ampla defesa.",
        "Acordam os desembargadores da Terceira Câmara Cível, por unanimidade, em negar provimento à apelação.",
        "O condomínio aprovou, em assembleia, a realização de obras emergenciais no telhado do edifício.",
    ],
}

POLITICS = {
    PT: [
        "O primeiro-ministro defendeu no Parlamento que o Orçamento do Estado protege os rendimentos da classe média.",
        "A proposta foi aprovada na Assembleia da República com os votos favoráveis do PS e a abstenção do PSD.",
        "Os deputados do Chega abandonaram o hemiciclo durante a intervenção do ministro das Finanças.",
        "O Presidente da República promulgou o diploma, mas deixou críticas ao calendário de aplicação.",
        "As eleições autárquicas vão realizar-se no outono e vários presidentes de câmara não se podem recandidatar.",
        "A oposição acusa o Governo de estar a adiar a reforma da justiça há demasiado tempo.",
        "O líder parlamentar lembrou que o facto de haver maioria não dispensa o diálogo com os outros partidos.",
        "O ministro da Habitação prometeu construir 26 mil casas até ao final da legislatura.",
        "Na sua intervenção, a deputada exigiu mais meios para os centros de saúde do interior.",
        "A moção de censura foi chumbada com os votos contra da maioria.",
        "O partido vai escolher o novo líder em eleições diretas no próximo mês.",
        "O debate do estado da nação ficou marcado pela discussão sobre os salários dos médicos.",
        "A ministra garantiu que o Governo está a negociar com os sindicatos e que não haverá cortes nas pensões.",
        "Os autarcas da Área Metropolitana de Lisboa pedem mais autocarros e comboios para as periferias.",
        "A Comissão Nacional de Eleições recebeu queixas sobre propaganda afixada junto às assembleias de voto.",
        "O Conselho de Estado reúne-se na próxima semana para analisar a situação política.",
        "O secretário-geral do partido considerou que o resultado das europeias foi uma derrota clara do Governo.",
        "Segundo a sondagem, os socialistas mantêm uma vantagem de quatro pontos sobre os sociais-democratas.",
        "O Governo Regional dos Açores anunciou um reforço das ligações aéreas entre as ilhas.",
        "A bancada centrista apresentou um projeto de resolução que recomenda a redução do IVA da eletricidade.",
    ],
    BR: [
        "O presidente defendeu em cadeia nacional que o novo arcabouço fiscal protege os programas sociais.",
        "A proposta foi aprovada na Câmara dos Deputados com 350 votos favoráveis e agora segue para o Senado.",
        "Os deputados da oposição deixaram o plenário durante o discurso do ministro da Fazenda.",
        "O presidente sancionou a lei, mas vetou trechos que tratavam do reajuste dos servidores.",
        "As eleições municipais acontecem em outubro e vários prefeitos não podem mais se reeleger.",
        "A oposição acusa o Planalto de estar atrasando a votação da reforma tributária.",
        "O líder do governo lembrou que o fato de ter maioria não dispensa a negociação com o Centrão.",
        "O ministro das Cidades prometeu entregar 2 milhões de moradias pelo Minha Casa, Minha Vida até o fim do mandato.",
        "Em seu discurso, a deputada cobrou mais recursos para os postos de saúde do interior do Nordeste.",
        "O pedido de impeachment foi arquivado pelo presidente da Câmara.",
        "O partido vai definir seu candidato à prefeitura em convenção no mês que vem.",
        "A sessão do Congresso ficou marcada pela discussão sobre o piso salarial da enfermagem.",
        "A ministra garantiu que o governo está negociando com as centrais sindicais e que não haverá corte no Bolsa Família.",
        "Os prefeitos da Grande São Paulo pedem mais linhas de ônibus e trens para a periferia.",
        "O Tribunal Superior Eleitoral recebeu denúncias de propaganda irregular perto das seções eleitorais.",
        "Os governadores se reúnem na semana que vem em Brasília para discutir a dívida dos estados.",
        "O presidente do partido avaliou que o resultado das urnas foi uma derrota clara do governo.",
        "Segundo a pesquisa Datafolha, o candidato do PT tem vantagem de quatro pontos sobre o adversário.",
        "O governo do Amazonas anunciou reforço nos voos regionais entre os municípios do interior.",
        "A bancada ruralista apresentou um projeto de lei que reduz o ICMS sobre a energia elétrica.",
    ],
}

TWEETS = {
    PT: [
        "o autocarro 742 passou cheio e não parou, mais uma manhã perdida 🙃",
        "estou a ver o jogo com o meu pai e ele já está a gritar com o árbitro",
        "alguém sabe se a CP vai fazer greve amanhã? preciso do comboio para ir trabalhar",
        "bué da fixe o concerto de ontem, a voz dela ao vivo é outra coisa ❤️",
        "o meu telemóvel caiu na sanita. sim. na sanita. não perguntem",
        "finalmente sexta-feira, vou jantar com a malta e desligar de tudo",
        "a equipa jogou mal, mas pelo menos não perdemos em casa",
        "já vou no terceiro café e ainda não acordei, isto não é vida",
        "quem é que sai da fila do talho para ir buscar pão e depois volta como se nada fosse??",
        "a minha avó acabou de me mandar um áudio de quatro minutos a explicar a receita do arroz doce 😂",
        "o Porto está lindo hoje, pena estar a trabalhar o dia inteiro",
        "preciso de umas férias das minhas férias",
        "acabei de ver o último episódio e estou a chorar baixinho no sofá",
        "a renda subiu outra vez. vou ter de voltar para casa dos meus pais aos 32 anos",
        "o senhor do quiosque já sabe o meu pedido de cor, sinto-me em casa",
        "alguém me explica porque é que o multibanco da esquina está sempre sem notas",
        "a fazer scroll há duas horas em vez de estudar para o exame de amanhã, tudo normal",
        "o miúdo da vizinha está a aprender a tocar bateria. às 8 da manhã. ao domingo.",
        "passei o dia a arrumar o quarto e encontrei bilhetes de cinema de 2012",
        "estão 38 graus em Évora e eu sem ar condicionado, mandem ajuda",
        "o pequeno-almoço de hoje foi uma torrada e muita força de vontade",
        "ganda golo do Rafa, ainda estou arrepiado",
        "tirei a carta à primeira!!! obrigado a quem me aturou nas aulas de condução",
        "alguém quer ir ao cinema logo? tenho dois bilhetes a mais",
        "o wi-fi do comboio Alfa é uma piada de mau gosto",
        "hoje o jantar cá em casa é francesinha, não aceito críticas",
        "a fila para as urgências está a dar a volta ao quarteirão",
        "o meu gato decidiu que o teclado é a cama oficial dele",
        "deixei o carregador do telemóvel no escritório e estou com 4% de bateria",
        "estou a pensar mudar de curso mas tenho medo de me arrepender",
        "que saudades do verão em Tavira, da praia e das bolas de berlim",
        "o professor adiou o teste para sexta, finalmente uma boa notícia",
        "é oficial: a minha planta morreu. fiz tudo o que estava ao meu alcance",
        "o Benfica a jogar assim não vai a lado nenhum, desculpem lá",
        "bom dia a todos menos a quem marca reuniões às 8h30",
        "já pus a roupa a secar e começou logo a chover, típico",
    ],
    BR: [
        "o ônibus 875 passou lotado e não parou, mais uma manhã perdida 🙃",
        "tô vendo o jogo com meu pai e ele já tá xingando o juiz",
        "alguém sabe se vai ter greve do metrô amanhã? preciso ir trabalhar",
        "muito massa o show de ontem, a voz dela ao vivo é outra coisa ❤️",
        "meu celular caiu na privada. sim. na privada. não perguntem",
        "finalmente sexta, vou sair com a galera e esquecer de tudo",
        "o time jogou mal, mas pelo menos não perdeu em casa",
        "já tô no terceiro café e ainda não acordei, isso não é vida",
        "quem é que sai da fila do açougue pra buscar pão e depois volta como se nada tivesse acontecido??",
        "minha vó acabou de mandar um áudio de quatro minutos explicando a receita do arroz doce kkkkk",
        "São Paulo tá linda hoje, pena que vou trabalhar o dia todo",
        "tô precisando de umas férias das minhas férias",
        "acabei de ver o último episódio e tô chorando no sofá",
        "o aluguel subiu de novo. vou ter que voltar pra casa dos meus pais com 32 anos",
        "o moço da banca já sabe meu pedido de cor, me sinto em casa",
        "alguém me explica por que o caixa eletrônico da esquina tá sempre sem dinheiro",
        "rolando o feed há duas horas em vez de estudar pra prova de amanhã, tudo normal",
        "o filho da vizinha tá aprendendo a tocar bateria. às 8 da manhã. no domingo.",
        "passei o dia arrumando o quarto e achei ingresso de cinema de 2012",
        "tá fazendo 38 graus em Cuiabá e eu sem ar-condicionado, mandem ajuda",
        "o café da manhã de hoje foi um pão na chapa e muita força de vontade",
        "que golaço do Arrascaeta, ainda tô arrepiado",
        "passei na prova de direção de primeira!!! valeu a quem me aguentou na autoescola",
        "alguém quer ir no cinema mais tarde? tenho dois ingressos sobrando",
        "o wi-fi do aeroporto de Guarulhos é uma piada de mau gosto",
        "hoje o jantar aqui em casa é feijoada, não aceito críticas",
        "a fila do pronto-socorro tá dando a volta no quarteirão",
        "meu gato decidiu que o teclado é a cama oficial dele",
        "esqueci o carregador do celular no escritório e tô com 4% de bateria",
        "tô pensando em mudar de curso mas tenho medo de me arrepender",
        "que saudade do verão em Floripa, da praia e do açaí",
        "o professor adiou a prova pra sexta, finalmente uma notícia boa",
        "é oficial: minha planta morreu. fiz tudo que tava ao meu alcance",
        "o Flamengo jogando desse jeito não vai a lugar nenhum, me desculpem",
        "bom dia pra todo mundo menos pra quem marca reunião às 8h30",
        "a gente estendeu a roupa e começou a chover na hora, típico",
        "você viu o que aconteceu no BBB ontem? tô em choque",
    ],
}

HASHTAGS = {
    PT: ["#CP", "#greve", "#Benfica", "#Lisboa", "#segundafeira", "#SNS", "#Porto"],
    BR: ["#BBB24", "#greve", "#Flamengo", "#SãoPaulo", "#segundou", "#SUS", "#Recife"],
}
HANDLES = ["@ana_silva", "@joaopedro", "@mariana_c", "@tiago_r", "@bia_santos", "@lucas88", "@rita_m", "@pedroh"]

# Web paragraphs are long on purpose: jusText only calls a block "good" when it
# is long and dense in stopwords, so the article must look like one.
WEB = {
    PT: [
        ("Como instalar a aplicação", "Antes de instalar a aplicação, confirme que o seu telemóvel tem pelo menos 2 GB de espaço livre. Depois de transferir o ficheiro, abra as definições, carregue em Segurança e autorize a instalação a partir desta fonte. O processo demora cerca de três minutos."),
        ("Recuperar a palavra-passe", "Para repor a palavra-passe, introduza o endereço de correio eletrónico associado à sua conta de utilizador. Receberá uma mensagem com uma ligação válida durante 24 horas. Se não a encontrar na caixa de entrada, verifique a pasta de lixo eletrónico."),
        ("Bacalhau à Brás", "Esta receita de bacalhau à Brás serve quatro pessoas e leva cerca de meia hora a preparar. Desfie o bacalhau demolhado, aloure a cebola em azeite, junte a batata palha e, no fim, os ovos batidos. Sirva com salsa picada e azeitonas pretas."),
        ("Hostel Santa Apolónia", "O nosso hostel fica a cinco minutos a pé da estação de comboios de Santa Apolónia. Todos os quartos têm casa de banho privativa e o pequeno-almoço está incluído no preço. A receção funciona 24 horas e guardamos a bagagem gratuitamente."),
        ("Ficha técnica", "O ecrã de 6,1 polegadas tem uma taxa de atualização de 120 Hz, o que torna a navegação muito mais fluida. A bateria aguenta um dia inteiro de utilização intensa e o carregador rápido repõe metade da carga em cerca de trinta minutos."),
        ("Apoio ao cliente", "Se o rato sem fios deixar de responder, retire a pilha durante alguns segundos e volte a ligá-lo ao recetor USB. Caso o problema se mantenha, experimente outra porta do computador ou contacte a nossa linha de apoio ao cliente."),
        ("Curso de programação", "As inscrições para o curso de programação estão abertas até ao dia 15 de setembro. As aulas decorrem em regime pós-laboral, às terças e quintas-feiras, e no final os formandos recebem um certificado reconhecido pela DGERT."),
        ("Obras na loja", "Estamos a fazer obras na loja do Chiado para melhor o servir. Durante este período, as encomendas feitas online podem ser levantadas no armazém de Alcântara, de segunda a sábado, entre as 10h e as 19h."),
        ("Poço do Inferno", "Fizemos o percurso pedestre do Poço do Inferno num sábado de manhã e recomendamos vivamente. O trilho tem cerca de oito quilómetros, está bem sinalizado e a cascata, no fim, compensa todo o esforço da subida."),
        ("Frigorífico combinado", "O frigorífico combinado tem classe energética A e um congelador com gavetas transparentes. A porta pode ser invertida e o painel digital permite regular a temperatura de cada compartimento de forma independente."),
        ("Newsletter", "Subscreva a nossa newsletter para receber em primeira mão as novidades da equipa editorial, passatempos exclusivos e descontos para os leitores registados. Pode cancelar a subscrição a qualquer momento, sem qualquer custo."),
        ("Consultas de nutrição", "Na consulta de nutrição, fazemos uma avaliação completa da composição corporal e elaboramos um plano alimentar adaptado à sua rotina. As consultas podem ser presenciais, no Porto, ou por videochamada, conforme preferir."),
    ],
    BR: [
        ("Como instalar o aplicativo", "Antes de instalar o aplicativo, confira se o seu celular tem pelo menos 2 GB de espaço livre. Depois de baixar o arquivo, abra as configurações, toque em Segurança e autorize a instalação a partir desta fonte. O processo leva cerca de três minutos."),
        ("Redefinir a senha", "Para redefinir sua senha, digite o e-mail cadastrado na sua conta de usuário. Você vai receber uma mensagem com um link válido por 24 horas. Se não encontrar na caixa de entrada, dê uma olhada na pasta de spam."),
        ("Escondidinho de carne-seca", "Esta receita de escondidinho de carne-seca serve quatro pessoas e fica pronta em cerca de uma hora. Cozinhe a mandioca até ficar bem macia, amasse com manteiga e cubra a carne refogada com o purê. Leve ao forno com queijo coalho ralado."),
        ("Pousada em Paraty", "Nossa pousada fica a cinco minutos a pé da rodoviária de Paraty. Todos os quartos têm banheiro privativo e o café da manhã está incluído na diária. A recepção funciona 24 horas e guardamos sua bagagem sem custo."),
        ("Ficha técnica", "A tela de 6,1 polegadas tem taxa de atualização de 120 Hz, o que deixa a navegação muito mais fluida. A bateria dura o dia inteiro com uso intenso e o carregador turbo recupera metade da carga em cerca de trinta minutos."),
        ("Suporte", "Se o mouse sem fio parar de responder, tire a pilha por alguns segundos e conecte de novo ao receptor USB. Se o problema continuar, teste outra porta do computador ou entre em contato com o nosso suporte pelo chat."),
        ("Curso de programação", "As inscrições para o curso de programação vão até 15 de setembro. As aulas acontecem à noite, às terças e quintas, e no final os alunos recebem um certificado reconhecido pelo MEC. Você pode parcelar a matrícula em até dez vezes."),
        ("Reforma na loja", "Estamos fazendo uma reforma na loja da Oscar Freire para atender você melhor. Durante esse período, os pedidos feitos pelo site podem ser retirados no centro de distribuição da Barra Funda, de segunda a sábado, das 10h às 19h."),
        ("Pedra do Baú", "A gente fez a trilha da Pedra do Baú num sábado de manhã e recomenda muito. O percurso tem cerca de oito quilômetros, é bem sinalizado e a vista lá de cima compensa todo o esforço da subida."),
        ("Geladeira duplex", "A geladeira duplex tem selo Procel A e um freezer com gavetas transparentes. A porta pode ser invertida e o painel digital permite regular a temperatura de cada compartimento de forma independente."),
        ("Newsletter", "Cadastre-se na nossa newsletter para receber em primeira mão as novidades do time editorial, sorteios exclusivos e cupons de desconto para leitores cadastrados. Você pode cancelar a inscrição quando quiser, sem custo nenhum."),
        ("Consultas de nutrição", "Na consulta com a nutricionista, fazemos uma avaliação completa da composição corporal e montamos um cardápio adaptado à sua rotina. O atendimento pode ser presencial, em Curitiba, ou online por chamada de vídeo."),
    ],
}

# Pages of Portuguese and Brazilian companies in English: the label comes from
# the source (as in the founding corpus), the language column says "en".
WEB_EN = {
    PT: [
        ("Our wine cellar", "Our family has been making wine in the Douro valley for four generations. The grapes are picked by hand in September and trodden in granite lagares, and the wine then rests for at least two years in the old cellar by the river before it is bottled."),
        ("Visiting the estate", "Guided tours of the estate run every day except Monday and last about ninety minutes. The visit ends with a tasting of three of our wines and a plate of local cheese, and you can book it online or at the reception of the hotel."),
    ],
    BR: [
        ("Our coffee", "Our coffee is grown on small farms in the south of Minas Gerais, where the altitude and the mild climate give the beans a sweet and balanced flavour. Every lot is dried in the sun on raised beds and sorted by hand before it is roasted."),
        ("Wholesale orders", "We ship green and roasted coffee to cafes and shops all over the world. Wholesale orders start at sixty kilos, and our team will send you free samples and help you choose the right roast for your espresso machine or filter."),
    ],
}

SITES = {
    PT: {
        "nav": ["Início", "Loja", "Promoções", "Contactos", "Área de cliente"],
        "footer": "Utilizamos cookies para melhorar a sua experiência. Ao continuar a navegar, aceita a nossa política de privacidade. © 2024 {site}. Todos os direitos reservados.",
        "names": ["Casa & Jardim", "Tecnologia Já", "Sabores do Minho", "Viagens Lusas", "Loja do Chiado"],
        "script": "var aviso = \"Aceite os cookies para continuar\"; window.dataLayer = window.dataLayer || [];",
    },
    BR: {
        "nav": ["Início", "Loja", "Ofertas", "Fale conosco", "Minha conta"],
        "footer": "Usamos cookies para melhorar sua experiência. Ao continuar navegando, você concorda com nossa política de privacidade. © 2024 {site}. Todos os direitos reservados.",
        "names": ["Casa & Cia", "Tecnologia Agora", "Sabor Mineiro", "Viaje Bem", "Loja Oscar Freire"],
        "script": "var aviso = \"Aceite os cookies para continuar\"; window.dataLayer = window.dataLayer || [];",
    },
}

ENTITIES = {"é": "&eacute;", "ç": "&ccedil;", "ã": "&atilde;", "á": "&aacute;", "õ": "&otilde;", "ê": "&ecirc;", "ó": "&oacute;"}


def escape_html(text: str, named_entities: bool) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if named_entities:
        for char, entity in ENTITIES.items():
            out = out.replace(char, entity)
    return out


def html_page(rng: random.Random, label: str, title: str, paragraphs: list[str], lang: str = "pt") -> str:
    """A full page: head with script and style, nav, article, aside, cookie footer."""
    site = SITES[label]
    name = rng.choice(site["names"])
    named = rng.random() < 0.5
    nav = "".join(f'<li><a href="/{i}">{escape_html(item, False)}</a></li>' for i, item in enumerate(site["nav"]))
    body = "\n".join(f"<p>{escape_html(p, named)}</p>" for p in paragraphs)
    container = rng.choice(["article", 'div class="post-content"', "main"])
    closing = container.split()[0]
    html_lang = {"pt": label, "en": "en"}[lang]
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape_html(title, False)} | {escape_html(name, False)}</title>"
        f"<script>{site['script']}</script>"
        "<style>body{font-family:Arial,sans-serif} .menu li{display:inline}</style></head>\n"
        f'<body><nav><ul class="menu">{nav}</ul></nav>\n'
        f"<!-- conteúdo principal -->\n<{container}><h1>{escape_html(title, named)}</h1>\n{body}\n</{closing}>\n"
        f'<aside><a href="/promo">Portes grátis</a> | <a href="/blog">Blog</a></aside>\n'
        f"<footer><p>{escape_html(site['footer'].format(site=name), False)}</p></footer>"
        "</body></html>"
    )


def join_sentences(rng: random.Random, pool: list[str], low: int, high: int) -> str:
    return " ".join(rng.sample(pool, rng.randint(low, high)))


def decorate_tweet(rng: random.Random, label: str, tweet: str) -> str:
    """Real tweets carry reply mentions, hashtags and t.co links; add some."""
    roll = rng.random()
    if roll < 0.2:
        tweet = f"{rng.choice(HANDLES)} {tweet}"
    elif roll < 0.35:
        tweet = f"{tweet} {rng.choice(HASHTAGS[label])}"
    elif roll < 0.45:
        tweet = f"{tweet} https://t.co/{''.join(rng.choices('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789', k=10))}"
    return tweet


def regulation(rng: random.Random, n_articles: int) -> str:
    """A long municipal regulation (pt-PT): well over the 900-token ceiling."""
    subjects = ["Os estabelecimentos de restauração", "Os proprietários dos prédios", "As entidades licenciadas",
                "Os operadores de transporte", "Os munícipes", "Os promotores de eventos", "As juntas de freguesia"]
    duties = ["devem afixar em local visível o horário de funcionamento", "estão obrigados a manter as fachadas em bom estado de conservação",
              "devem comunicar à câmara municipal qualquer alteração dos dados do registo", "não podem ocupar o espaço público sem licença prévia",
              "devem garantir o acesso de pessoas com mobilidade reduzida", "respondem pelos danos causados na via pública",
              "devem apresentar o pedido com a antecedência mínima de trinta dias"]
    conditions = ["nos termos do presente regulamento", "sob pena de contraordenação", "salvo autorização expressa do presidente da câmara",
                  "no prazo de dez dias úteis", "durante o período de vigência da licença", "sem prejuízo da legislação aplicável"]
    articles = [f"Artigo {i}.º {rng.choice(subjects)} {rng.choice(duties)}, {rng.choice(conditions)}." for i in range(1, n_articles + 1)]
    return "Regulamento Municipal de Ocupação do Espaço Público. " + " ".join(articles)


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252: 'é' -> 'Ã©', 'ção' -> 'Ã§Ã£o'."""
    return text.encode("utf-8").decode("cp1252")


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------

CLEAN_ROWS_PER_LABEL = {"journalistic": 30, "literature": 27, "legal": 27, "politics": 27, "web": 18}
SENTENCES_PER_ROW = {"journalistic": (2, 3), "literature": (2, 4), "legal": (2, 3), "politics": (2, 3)}
POOLS = {"journalistic": JOURNALISTIC, "literature": LITERATURE, "legal": LEGAL, "politics": POLITICS}


class Corpus:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.defects: dict[str, dict] = {}

    def add(self, text: str, label: str, domain: str, language: str = "pt", defect: str | None = None) -> dict:
        row = {"text": text, "label": label, "domain": domain, "language": language}
        self.rows.append(row)
        if defect is not None:
            self.defects[defect]["rows"].append(row)
        return row

    def defect(self, key: str, rule: str | None, description: str) -> str:
        self.defects[key] = {"rule": rule, "description": description, "rows": []}
        return key


def clean_rows(rng: random.Random, corpus: Corpus) -> None:
    seen: set[str] = set()

    def unique(make) -> str:
        for _ in range(1000):
            text = make()
            if text not in seen:
                seen.add(text)
                return text
        raise RuntimeError("sentence pool too small for the requested number of rows")

    lusa = corpus.defect("source_shortcut_lusa", None,
                         "pt-PT journalistic rows often end with the agency signature '(Lusa)': a source shortcut the audit should flag")
    for domain, pool in POOLS.items():
        low, high = SENTENCES_PER_ROW[domain]
        for label in (PT, BR):
            for _ in range(CLEAN_ROWS_PER_LABEL[domain]):
                text = unique(lambda: join_sentences(rng, pool[label], low, high))
                if domain == "journalistic" and label == PT and rng.random() < 0.5:
                    corpus.add(text + " (Lusa)", label, domain, defect=lusa)
                else:
                    corpus.add(text, label, domain)

    html = corpus.defect("html_page", "remove_boilerplate + html_to_text",
                         "full HTML page (script, style, nav, aside, cookie footer, named entities): only the article text should remain")
    for label in (PT, BR):
        for _ in range(CLEAN_ROWS_PER_LABEL["web"]):
            def page() -> str:
                chosen = rng.sample(WEB[label], 2)
                return html_page(rng, label, chosen[0][0], [p for _, p in chosen])
            corpus.add(unique(page), label, "web", defect=html)

    english = corpus.defect("english_web_page", "remove_boilerplate (per-row stoplist from the language column)",
                            "English page of a Portuguese/Brazilian company, language 'en': jusText must use the English stoplist")
    for label in (PT, BR):
        for title, paragraph in WEB_EN[label]:
            other = [p for t, p in WEB_EN[label] if t != title]
            corpus.add(html_page(rng, label, title, [paragraph, *other], lang="en"), label, "web", language="en", defect=english)

    for label in (PT, BR):
        for tweet in TWEETS[label]:
            corpus.add(decorate_tweet(rng, label, tweet), label, "social_media")


def defect_rows(rng: random.Random, corpus: Corpus) -> None:
    d = corpus.defect
    add = corpus.add

    key = d("boilerplate_only_page", "remove_boilerplate -> reject_empty", "web page with menu, cookie banner and copyright but no article")
    for label in (PT, BR):
        site = SITES[label]
        nav = "".join(f"<li><a href='/x'>{item}</a></li>" for item in site["nav"])
        add(f"<html><head><script>var x = 1;</script></head><body><nav><ul>{nav}</ul></nav>"
            f"<footer>{escape_html(site['footer'].format(site=site['names'][0]), False)}</footer></body></html>", label, "web", defect=key)

    key = d("html_fragment_outside_web", "html_to_text", "tags and entities in non-web rows (copied from a CMS)")
    add("<p>O Conselho de Ministros aprovou hoje o novo regime do arrendamento urbano.</p><p>A medida entra em vigor em janeiro e abrange os contratos já celebrados.</p>", PT, "journalistic", defect=key)
    add("O presidente disse que &quot;não vai recuar&quot; na proposta.<br/>A votação está marcada para terça-feira, no plenário da Câmara.", BR, "politics", defect=key)

    key = d("retweet_marker", "remove_retweet_marker", "tweet starting with 'RT @user:'")
    add("RT @noticias_lx: a ponte 25 de Abril está fechada ao trânsito no sentido Almada-Lisboa devido a um acidente", PT, "social_media", defect=key)
    add("RT @g1: metrô de São Paulo tem lentidão na linha azul nesta manhã https://t.co/Hq3ZpL8wTe", BR, "social_media", defect=key)

    key = d("mentions_hashtags_urls", "remove_mentions + remove_hashtags(keep_word) + remove_urls",
            "@mentions in the middle, #hashtags whose word must stay, t.co links")
    add("@rita_m @tiago_r vamos ver o #Benfica ao café do costume? começa às 20h https://t.co/Z8kQ2mVn4r", PT, "social_media", defect=key)
    add("a gente vai no show do #Emicida sábado, bora? @bia_santos @lucas88 https://t.co/P0wXy7Ab9c", BR, "social_media", defect=key)

    key = d("emoji_and_heart", None, "emoji and '<3' must survive html_to_text and every other rule")
    add("a minha avó faz hoje 90 anos e continua a fazer o melhor arroz doce do mundo <3 🎉", PT, "social_media", defect=key)
    add("gente, meu sobrinho nasceu hoje e já tô apaixonada <3<3 👶💙", BR, "social_media", defect=key)

    key = d("list_bullets", "remove_list_bullets", "numbered and bulleted lines ('1. ', '• ')")
    add("• Reduzir o IVA da eletricidade para 6%\n• Construir 26 mil casas até ao fim da legislatura\n• Contratar mais médicos de família para o interior", PT, "politics", defect=key)
    add("1. O réu foi citado por edital após tentativas frustradas de localização.\n2. Decorrido o prazo, não houve apresentação de defesa.", BR, "legal", defect=key)

    key = d("leading_year", None, "'2024 foi um ano ...': the year must survive the bullet rule (the PtVId unescaped-dot bug ate it)")
    add("2024 foi um ano difícil para o setor do turismo no Algarve, que perdeu 3.5% das receitas face ao ano anterior.", PT, "journalistic", defect=key)
    add("2023 foi um ano de recordes para o agronegócio, com a safra de soja crescendo 3,5% em relação a 2022.", BR, "journalistic", defect=key)

    key = d("missing_space_after_stop", None, "'casa.Ele': must survive the URL rule (the PtVId URL regex ate it)")
    add("Chegou tarde a casa.Ele nem jantou, foi logo deitar-se sem dizer uma palavra.", PT, "literature", defect=key)
    add("Voltou cedo pra casa.Ela ainda estava dormindo no sofá da sala.", BR, "literature", defect=key)

    key = d("decimals", None, "decimal numbers '3.5' (point) and '2,9' (comma) must survive")
    add("A inflação fixou-se em 3.5% em março, acima dos 2,9% registados em fevereiro.", PT, "journalistic", defect=key)

    key = d("dash_blocks", "remove_dash_blocks", "'-----' separator lines")
    add("Relatório de atividades do primeiro semestre\n-----\nO número de processos pendentes baixou 12% em relação a 2023.\n----------", PT, "legal", defect=key)
    add("Pauta da sessão ----- votação da reforma tributária e da PEC dos precatórios", BR, "politics", defect=key)

    key = d("dot_runs", "reject_dot_runs", "table-of-contents leader dots '.....'")
    add("Índice\nIntrodução .......... 3\nCapítulo I — Disposições gerais .......... 7\nCapítulo II — Do arrendamento .......... 15", PT, "legal", defect=key)
    add("Sumário ........ 1 Apresentação ........ 4 Relatório da comissão ........ 9", BR, "politics", defect=key)

    key = d("cod_codes", "remove_cod_codes", "'COD _ 123' procedure codes")
    add("COD _ 4417 A proposta de regulamento relativo à segurança dos brinquedos foi remetida à comissão de assuntos europeus.", PT, "politics", defect=key)
    add("O parecer sobre a diretiva COD _ 2231 será votado na próxima reunião da comissão parlamentar.", PT, "legal", defect=key)

    key = d("unbalanced", "reject_unbalanced", "unbalanced quotes or brackets (cut-off sentences)")
    add("O ministro afirmou: \"não haverá aumentos de impostos este ano, garantiu aos jornalistas à saída da reunião.", PT, "politics", defect=key)
    add("A medida (que ainda precisa passar pelo Senado será votada na sexta-feira, segundo o relator.", BR, "politics", defect=key)
    add("Os valores] foram corrigidos na versão final do relatório enviado ao tribunal.", BR, "legal", defect=key)

    key = d("spaces_inside_quotes", "trim_spaces_inside_quotes", "'\" text \"': spaces just inside the quotes")
    add("O treinador disse aos jornalistas que \" a equipa está preparada para tudo \" antes do jogo de domingo.", PT, "journalistic", defect=key)
    add("A atriz contou que \" a gente nunca esquece o primeiro papel \" durante a entrevista.", BR, "journalistic", defect=key)

    key = d("mojibake", "repair_unicode", "UTF-8 read as Windows-1252: 'Ã©', 'Ã§Ã£o' (repaired text must keep the diacritics)")
    for text, label, domain in [
        ("A população da região mostrou-se preocupada com a situação da estação de tratamento.", PT, "journalistic"),
        ("A votação da reforma da previdência não tem data marcada, disse o líder do governo.", BR, "politics"),
        ("Você não vai acreditar: a ação de cobrança foi extinta por falta de citação válida do réu.", BR, "legal"),
    ]:
        row = add(mojibake(text), label, domain, defect=key)
        row["_expected"] = text

    key = d("control_chars_many", "reject_invalid_chars", "a corrupted attachment: control characters make up more than 5% of the text")
    add("Ata da reunião de condomínio \x00\x01\x02\x03\x04\x05\x06\x07\x08 anexo corrompido \x0e\x0f\x10\x11\x12", PT, "legal", defect=key)

    key = d("control_chars_few", None,
            "a bell, a NUL, an ESC and a zero-width space in a normal sentence: under 5%, so reject_invalid_chars keeps it "
            "(repair_unicode removes the zero-width space; the control characters stay unless a rule strips them)")
    add("O relatório\x07 foi entregue\x00 ontem ao ministro\x1b das Finanças, que o vai\u200b analisar na próxima semana.", PT, "politics", defect=key)

    key = d("replacement_chars_many", "reject_invalid_chars", "many U+FFFD (> 5% of the characters): undecodable text")
    add("Cora\ufffd\ufffdo partido: n\ufffd\ufffdo h\ufffd\ufffd solu\ufffd\ufffd\ufffdo para a habita\ufffd\ufffdo nesta cidade", BR, "social_media", defect=key)
    add("A popula\ufffd\ufffdo do concelho \ufffd\ufffd contra a constru\ufffd\ufffdo do aterro sanit\ufffdrio.", PT, "journalistic", defect=key)

    key = d("replacement_char_single", None, "one U+FFFD in a long text (< 5%): kept by reject_invalid_chars(max_ratio=0.05)")
    add("O concurso público para a construção da nova escola recebeu sete propostas, a mais baixa de 4,2 milh\ufffdes de euros, e o júri deve decidir até ao fim do mês.", PT, "journalistic", defect=key)

    key = d("long_words", "reject_long_words", "'words' over 40 characters: laughter runs, base64 blobs")
    add("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk não acredito que ele falou isso ao vivo", BR, "social_media", defect=key)
    add("Imagem do produto: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg== clique para ampliar a fotografia.", PT, "journalistic", defect=key)

    key = d("long_url", None, "a URL longer than 40 chars: removed by remove_urls before reject_long_words sees it, so the row survives")
    add("Leia o relatório completo em https://www.exemplo.pt/documentos/relatorio-anual-de-atividades-2023-versao-final.pdf antes da reunião de quinta-feira.", PT, "journalistic", defect=key)

    key = d("near_empty", "reject_empty / char_length", "empty, whitespace-only and very short rows")
    add("", PT, "journalistic", defect=key)
    add("   \n\t ", BR, "literature", defect=key)
    add("Última hora.", PT, "journalistic", defect=key)
    add("bom dia!!", BR, "social_media", defect=key)
    add("ok", PT, "social_media", defect=key)

    key = d("empty_after_cleaning", "reject_empty", "tweets that are only a retweet marker, mentions and a link")
    add("RT @noticias_pt: https://t.co/aBcD1234Ef", PT, "social_media", defect=key)
    add("@maria_clara @joao_vitor @ana_paula", BR, "social_media", defect=key)

    key = d("too_few_tokens", "token_length", "over 20 characters but under 5 tokens")
    add("O Tribunal de Justiça", PT, "legal", defect=key)
    add("O Presidente da República", BR, "politics", defect=key)

    key = d("too_many_tokens", "token_length", "over the token ceiling: a long regulation (900) and a long tweet thread (120 in social_media)")
    add(regulation(rng, 45), PT, "legal", defect=key)
    thread = " ".join(f"{i}/ {t}" for i, t in enumerate(rng.sample(TWEETS[BR], 12), start=1))
    add("fio sobre a minha semana 🧵 " + thread, BR, "social_media", defect=key)

    key = d("messy_whitespace", "normalize_whitespace", "tabs, non-breaking spaces, CRLF and runs of spaces")
    add("O  presidente\tda câmara\u00a0anunciou\r\n\r\n novas   medidas para o trânsito na Baixa  ", PT, "politics", defect=key)
    add("A   prefeitura\u00a0\u00a0liberou\tas faixas de ônibus\r\npara carros aos domingos.  ", BR, "journalistic", defect=key)

    key = d("duplicates_after_cleaning", "exact_dedup", "same tweet with different mentions / whitespace / retweet marker; same text twice")
    base_pt = "o autocarro 728 voltou a não aparecer, já é a terceira vez esta semana"
    add(f"@ricardo_m {base_pt}", PT, "social_media", defect=key)
    add(f"@sofiaalves   {base_pt.replace(', ', ',  ')}", PT, "social_media", defect=key)
    add(f"RT @ricardo_m: {base_pt}", PT, "social_media", defect=key)
    base_br = "gente, o metrô parou de novo na linha vermelha"
    add(f"@lucas_r {base_br} https://t.co/Xy12AbCdEf", BR, "social_media", defect=key)
    add(f"@biasantos {base_br} https://t.co/Q9wErTyUiO", BR, "social_media", defect=key)
    legal_text = "O recurso foi admitido com efeito meramente devolutivo, subindo nos próprios autos."
    add(legal_text, PT, "legal", defect=key)
    add(legal_text + " \u00a0", PT, "legal", defect=key)

    key = d("conflicting_labels", "exact_dedup (and the audit's conflicting-label check)", "the same neutral sentence labelled pt-PT and pt-BR")
    neutral = "A reunião terminou sem acordo entre as partes e uma nova ronda de negociações ficou marcada para maio."
    add(neutral, PT, "journalistic", defect=key)
    add(neutral, BR, "journalistic", defect=key)


def build(seed: int = SEED) -> tuple[list[dict], dict[str, dict]]:
    rng = random.Random(seed)
    corpus = Corpus()
    clean_rows(rng, corpus)
    defect_rows(rng, corpus)
    rng.shuffle(corpus.rows)
    for i, row in enumerate(corpus.rows, start=1):
        row["id"] = f"s{i:04d}"
    manifest = {}
    for key, info in corpus.defects.items():
        entry = {"rule": info["rule"], "description": info["description"], "ids": sorted(r["id"] for r in info["rows"])}
        expected = {r["id"]: r["_expected"] for r in info["rows"] if "_expected" in r}
        if expected:
            entry["expected_text"] = expected
        manifest[key] = entry
    rows = [{"id": r["id"], "text": r["text"], "label": r["label"], "domain": r["domain"], "language": r["language"]} for r in corpus.rows]
    return rows, manifest


def write(out: Path, seed: int = SEED) -> tuple[Path, Path]:
    rows, manifest = build(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    manifest_path = out.with_name(out.stem + "_defects.json")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out, manifest_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "sample_corpus.jsonl")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    corpus, manifest = write(args.out, args.seed)
    print(f"wrote {corpus} and {manifest}")


if __name__ == "__main__":
    main()
